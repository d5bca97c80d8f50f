"""The editorial desk: the Django admin for every archive model.

reports.py   reports, their segments and quotes inline, workflow actions, history, preview
editor/      the transcript editor on a report's page: layout, split, merge, insert, quote
content.py   segments and quotes on their own
people.py    speakers (with merging), organizations, topics
pending.py   the list of changes to live reports that wait for an editor
revisions.py history, revert and recover of every versioned model, checked by history.Revert
"""

from . import content, pending, people, reports  # noqa: F401  (registers the admins)
