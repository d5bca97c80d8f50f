"""The editorial desk: the Django admin for every archive model.

reports.py   reports, their segments and quotes inline, workflow actions, history, preview
editor/      the transcript editor on a report's page: layout, split, merge, insert, quote
content.py   segments and quotes on their own
people.py    speakers (with merging), organizations, topics
pending.py   the list of changes to live reports that wait for an editor
identity.py  aliases, likely duplicates, merges and their undo (rules in archive/identity/)
revisions.py history, revert and recover of every versioned model, checked by history.Revert
importing/   importing transcripts from the browser (upload, preview, import as drafts)
home/        the desk home: the day's work, each a count and a link
together/    working together on a report: who else has it open, a refused save kept
editor/      the transcript editor on the report page: split, merge, insert, select to quote
"""

from . import content, home, identity, pending, people, reports  # noqa: F401  (registers the admins)
