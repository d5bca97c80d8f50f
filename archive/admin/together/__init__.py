"""Working together on a report at the desk (issue 14, item 4).

presence.py   who else has the report's change form open, and since when:
              a row per (report, user) in the database, a heartbeat endpoint
conflicts.py  a save refused because someone else saved in between: what they
              changed since the form was opened, field by field, beside yours
admin.py      the ReportAdmin mixin that wires both into the change form

The change form's JavaScript (archive/static/archive/admin/presence.js and
unsaved-changes.js) polls the heartbeat and asks before leaving a page with
unsaved changes; the page without JavaScript still shows who is there.
"""

from .admin import WorkingTogether

__all__ = ["WorkingTogether"]
