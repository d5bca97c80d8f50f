"""The editorial desk: the Django admin for every archive model.

reports.py   reports, their segments and quotes inline, workflow actions, history, preview
content.py   segments and quotes on their own
people.py    speakers (with merging), organizations, topics
revisions.py history, revert and recover of every versioned model, checked by history.Revert
together/    working together on a report: who else has it open, a refused save kept
"""

from . import content, people, reports  # noqa: F401  (registers the admins)
