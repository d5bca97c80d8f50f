"""The editorial desk: the Django admin for every archive model.

reports.py   reports, their segments and quotes inline, workflow actions, history, preview
content.py   segments and quotes on their own
people.py    speakers (with merging), organizations, topics
identity.py  aliases, likely duplicates, merges and their undo (rules in archive/identity/)
revisions.py history, revert and recover of every versioned model, checked by history.Revert
"""

from . import content, identity, people, reports  # noqa: F401  (registers the admins)
