"""The desk's home (the admin index): the day's work, each a count and a link.

sections.py  what the home shows for a user: drafts, review, scheduled, recently
             published, what needs fixing, notes sent back; capped counts, constant queries
filters.py   the report changelist's filters the home links to
"""

from django.contrib import admin

# The stock index, with the day's work above the list of models.
admin.site.index_template = "admin/archive/desk_home.html"
