"""The one door for writes to a report: live at once, or held for review."""

from contextlib import contextmanager
from dataclasses import dataclass

import reversion
from django.db import transaction
from django.utils import timezone

from .. import workflow
from ..models import PendingChange, Report
from .snapshots import is_live, same_content, snapshot

# Set on the request while a gate is open: a gate opened inside it (the admin's
# revert view runs the change form view) joins the outer one.
ACTIVE = "_review_gate"


@dataclass
class Gate:
    """What became of the writes in a ``review_gate`` block (read it after the block)."""

    report: Report | None
    held: bool = False
    pending: PendingChange | None = None
    message: str = ""


def must_review(user, report, *, hold=False):
    """Whether writes by ``user`` to ``report`` wait for an editor instead of going live."""
    return is_live(report) and (hold or not workflow.can_publish(user))


@contextmanager
def review_gate(request, report, comment="", *, hold=False):
    """Run the block's writes to ``report`` (and its parts) through review.

    The report is live and ``request.user`` may not publish (or ``hold`` is
    true: an editor chose "Save as pending change"): the block runs in a
    savepoint, the report as it then stands is kept as the user's
    PendingChange (replacing their earlier one) and the writes are rolled
    back; ``gate.pending`` is that change. Otherwise the writes stay, and one
    django-reversion revision with the user and ``comment`` records the whole
    report; ``gate.pending`` is None. Either way ``gate.message`` says what
    happened, in one line. An exception in the block rolls everything back.
    A gate opened inside another on the same request is the outer one.

    A held block's writes to other tables (a new speaker) are rolled back too:
    make those before the block.
    """
    outer = getattr(request, ACTIVE, None)
    if outer is not None:
        yield outer
        return
    setattr(request, ACTIVE, gate := Gate(report=report))
    try:
        with transaction.atomic():
            if report is not None and report.pk is not None:
                # Two gates on one report take turns: each sees the other's outcome.
                Report.objects.select_for_update().filter(pk=report.pk).first()
            gate.held = must_review(request.user, report, hold=hold)
            base = snapshot(report.pk) if report is not None and report.pk else []
            if gate.held:
                with _held(request, report, base, comment):
                    yield gate
            else:
                with _live(request, report, base, comment):
                    yield gate
    finally:
        delattr(request, ACTIVE)


@contextmanager
def _held(request, report, base, comment):
    gate = getattr(request, ACTIVE)
    with transaction.atomic():
        with reversion.create_revision():
            _record(request.user, comment)
            yield
        changed = snapshot(report.pk)
        transaction.set_rollback(True)
    if same_content(base, changed):
        gate.message = f"Nothing was changed in “{report}”."
        return
    gate.pending = hold_change(report, request.user, base, changed, comment)
    gate.message = (
        f"Your change to “{report}” waits for an editor's review; "
        "the public still sees the live version."
    )


@contextmanager
def _live(request, report, base, comment):
    gate = getattr(request, ACTIVE)
    with reversion.create_revision():
        _record(request.user, comment)
        yield
        current = Report.objects.filter(pk=report.pk).first() if report else None
        if current is not None and not same_content(base, snapshot(current.pk)):
            # One revision holds the whole report, however the block wrote to it.
            reversion.add_to_revision(current)
            if comment:
                reversion.set_comment(comment)
    gate.message = f"The change to “{report}” is saved." if report else "Saved."


def _record(user, comment):
    if user is not None and user.is_authenticated:
        reversion.set_user(user)
    if comment:
        reversion.set_comment(comment)


def hold_change(report, user, base, data, comment):
    """Keep ``data`` as ``user``'s pending change to ``report``, replacing an older one."""
    change, _created = PendingChange.objects.update_or_create(
        report=report,
        author=user,
        defaults={"base": base, "data": data, "comment": comment, "created_at": timezone.now()},
    )
    return change
