"""Changes to live reports that wait for an editor.

What the public sees changes only through someone with the publish
permission. Any route that writes to a report, its segments, quotes or
corrections wraps its writes in :func:`review_gate`: when the report is live
and the user may not publish (or an editor chooses to hold the change), the
writes are captured as a :class:`~archive.models.PendingChange` and rolled
back, so the public keeps seeing the live version. An editor then publishes
the change (applied like a revert, in one revision) or discards it
(:mod:`archive.pending.review`).
"""

from .gate import Gate, review_gate

__all__ = ["Gate", "review_gate"]
