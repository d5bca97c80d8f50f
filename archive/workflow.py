"""The editorial workflow: who may change what the public sees, and the moves.

A report's publication state is three fields: ``status``, ``published_at`` and
``withdrawal_reason``. Everyone who may edit a report may move it between
*draft* and *review*. Anything else (publish now, schedule, withdraw, back to
draft from published or withdrawn, or editing the time or the reason) needs
``archive.publish_report``, and so does bringing back a report that was
deleted. Deleting a report's segments or quotes needs the model's delete
permission. The admin's forms, actions, revert and recover, the shell and any
importer ask these functions, so the rule cannot be bypassed by choosing
another route.

Scheduling needs no job: a published report whose ``published_at`` is in the
future is invisible until that moment, because ``Report.objects.public()``
decides visibility at query time.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .models import Programme, Quote, Report, ReportStatus, Segment

PUBLISH_PERMISSION = "archive.publish_report"
UNPUBLISHED = (ReportStatus.DRAFT, ReportStatus.REVIEW)


@dataclass(frozen=True)
class PublicationState:
    status: str = ReportStatus.DRAFT
    published_at: datetime | None = None
    withdrawal_reason: str = ""

    @classmethod
    def of(cls, report):
        """The state of a report; a new (unsaved or missing) report is a blank draft."""
        if report is None:
            return cls()
        return cls(report.status, report.published_at, report.withdrawal_reason)

    @classmethod
    def from_fields(cls, fields):
        """The state held in a mapping of field values (a form, a stored version)."""
        return cls(
            fields.get("status", ReportStatus.DRAFT),
            fields.get("published_at"),
            fields.get("withdrawal_reason", ""),
        )

    def comparable(self):
        """The state as a stored revision holds it: its serializer keeps milliseconds only."""
        at = self.published_at
        if at is not None:
            at = at.replace(microsecond=at.microsecond // 1000 * 1000)
        return (self.status, at, self.withdrawal_reason)


def can_publish(user):
    return bool(user and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def can_delete_part(user, model):
    """Whether ``user`` may delete a report's segments or quotes (``model``): editors may."""
    codename = f"{model._meta.app_label}.delete_{model._meta.model_name}"
    return bool(user and user.is_active and user.has_perm(codename))


def may_change(user, before, after):
    """Whether ``user`` may move a report from state ``before`` to ``after``."""
    if before.comparable() == after.comparable() or can_publish(user):
        return True
    # Without the permission only the draft/review status may change.
    return (
        before.status in UNPUBLISHED
        and after.status in UNPUBLISHED
        and before.published_at == after.published_at
        and before.withdrawal_reason == after.withdrawal_reason
    )


def check_change(user, before, after):
    if not may_change(user, before, after):
        raise PermissionDenied(
            "Only editors may publish, schedule or withdraw a report, "
            "or change its publication time or withdrawal notice."
        )


def check_restore(user):
    """Bringing back a deleted report (recover, or revert to a revision holding it)."""
    if not can_publish(user):
        raise PermissionDenied("Only editors may restore a deleted report.")


def check_delete(user, parts):
    """Refuse, naming what, if ``user`` may not delete every one of ``parts``."""
    refused = Counter(type(part) for part in parts if not can_delete_part(user, type(part)))
    if refused:
        what = " and ".join(
            f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
            for model, count in sorted(refused.items(), key=lambda item: item[0]._meta.label)
        )
        raise PermissionDenied(
            f"Only editors may delete segments and quotes; this would delete {what}."
        )


def complete(state, *, now=None, before=None):
    """Fill in what an editor may leave out, and refuse what makes no sense.

    Published without a time means "now"; withdrawn needs a public reason;
    back to draft (or review) from withdrawn (``before``) drops the notice,
    which was for readers of the withdrawn page, by every route alike.
    """
    if state.status == ReportStatus.PUBLISHED and state.published_at is None:
        state = PublicationState(state.status, now or timezone.now(), state.withdrawal_reason)
    if before is not None and went_back_to_draft(before, state):
        state = PublicationState(state.status, state.published_at, "")
    if state.status == ReportStatus.WITHDRAWN and not state.withdrawal_reason.strip():
        raise ValidationError(
            {"withdrawal_reason": "A withdrawn report needs a reason; readers are shown it."}
        )
    return state


def publish_blockers(report, *, flagged_quotes=True):
    """Why ``report`` may not be published yet, in words; empty when nothing holds it back.

    A segment whose speaker the importer was unsure of (``needs_review``) must be
    confirmed or fixed by an editor first, so no quote goes out under a garbled name;
    a quote that no longer matches its segment must be corrected or removed first.
    A report already live is not held back by its flagged quotes
    (``flagged_quotes=False``): they are hidden until they match, and an editor's
    own save of it goes live with them, as a pending change it publishes does.
    """
    if report is None or report.pk is None:
        return []
    unsure = report.segments.filter(needs_review=True).count()
    flagged = 0
    if flagged_quotes:
        flagged = Quote.objects.filter(segment__report=report.pk, matches_source=False).count()
    return _blockers(report.title, unsure, flagged)


def publish_blockers_of(reports):
    """``publish_blockers`` of many reports in one query: {report id: reasons}, held ones only."""
    unsure = Segment.objects.filter(report=OuterRef("pk"), needs_review=True)
    flagged = Quote.objects.filter(segment__report=OuterRef("pk"), matches_source=False)
    rows = (
        Report.objects.filter(pk__in=_ids(reports))
        .annotate(unsure=_count(unsure), flagged=_count(flagged))
        .filter(Q(unsure__gt=0) | Q(flagged__gt=0))
        .values_list("pk", "title", "unsure", "flagged")
    )
    return {pk: _blockers(title, unsure, flagged) for pk, title, unsure, flagged in rows}


def _ids(reports):
    if isinstance(reports, QuerySet):
        return reports.order_by().values("pk")
    return [report.pk for report in reports]


def _count(rows):
    """A correlated COUNT(*) of ``rows`` (filtered on an OuterRef): one row, no GROUP BY."""
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Subquery(counted, output_field=IntegerField())


def _blockers(title, unsure, flagged):
    blockers = []
    if unsure:
        blockers.append(
            f"{unsure} segment{'s' if unsure != 1 else ''} of “{title}” need an editor to "
            "confirm the speaker (tick “speaker confirmed”, or correct the speaker) "
            "before the report can be published."
        )
    if flagged:
        one = flagged == 1
        blockers.append(
            f"{flagged} quote{'' if one else 's'} of “{title}” no longer "
            f"{'matches its segment' if one else 'match their segments'} (filter the quotes "
            f"by “matches source: no”): correct or remove {'it' if one else 'them'} "
            "before the report can be published."
        )
    return blockers


def check_publishable(report, before, after):
    """Refuse, as a ValidationError, a move into *published* that publish_blockers forbids."""
    going_live = after.status == ReportStatus.PUBLISHED != before.status
    if going_live and (blockers := publish_blockers(report)):
        raise ValidationError(" ".join(blockers))


def _move(report, user, after):
    before = PublicationState.of(report)
    check_change(user, before, after)
    check_publishable(report, before, after)
    report.status = after.status
    report.published_at = after.published_at
    report.withdrawal_reason = after.withdrawal_reason
    report.save(update_fields=["status", "published_at", "withdrawal_reason", "updated_at"])
    return report


def publish(report, *, user, now=None):
    """Make a report public now."""
    now = now or timezone.now()
    return _move(report, user, PublicationState(ReportStatus.PUBLISHED, now, ""))


def schedule(report, at, *, user, now=None):
    """Publish a report at a future moment; it goes live by itself then."""
    if at <= (now or timezone.now()):
        raise ValidationError({"published_at": "A scheduled time must be in the future."})
    return _move(report, user, PublicationState(ReportStatus.PUBLISHED, at, ""))


def withdraw(report, reason, *, user):
    """Take a report down; its page answers 410 with ``reason``."""
    after = complete(PublicationState(ReportStatus.WITHDRAWN, report.published_at, reason))
    return _move(report, user, after)


def back_to_draft(report, *, user):
    before = PublicationState.of(report)
    after = PublicationState(ReportStatus.DRAFT, report.published_at, report.withdrawal_reason)
    return _move(report, user, complete(after, before=before))


def went_back_to_draft(before, after):
    """A report that was published or withdrawn is unpublished again (the "Back to draft" move)."""
    return before.status not in UNPUBLISHED and after.status in UNPUBLISHED


def submit_for_review(report, *, user):
    after = PublicationState(ReportStatus.REVIEW, report.published_at, report.withdrawal_reason)
    return _move(report, user, after)


def transition_all(reports, move, *, user, **kwargs):
    """Apply one move to many reports; returns how many moved. All or nothing."""
    with transaction.atomic():
        reports = list(Report.objects.select_for_update().filter(pk__in=[r.pk for r in reports]))
        for report in reports:
            move(report, user=user, **kwargs)
    return len(reports)


# -- review with words: a note travels with a report to review and back ------

REVIEW_NOTE_MAX_LENGTH = 2000


def _leave_note(report, note, *, by, to):
    report.review_note, report.review_note_by, report.review_note_to = note.strip(), by, to
    report.save(update_fields=["review_note", "review_note_by", "review_note_to", "updated_at"])


def send_to_review(report, *, user, note=""):
    """A draft goes to review, with a note for the editors who will read it."""
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(f"“{report.title}” is not a draft; only drafts go to review.")
    submit_for_review(report, user=user)
    _leave_note(report, note, by=user, to=None)
    return report


def send_back(report, *, user, note=""):
    """An editor returns a report in review to draft, with a note for who sent it.

    The note is addressed to whoever sent the report to review, else to whoever
    made it at the desk; it shows on their desk home.
    """
    if not can_publish(user):
        raise PermissionDenied("Only editors send reports back from review.")
    if report.status != ReportStatus.REVIEW:
        raise ValidationError(f"“{report.title}” is not in review; only those are sent back.")
    recipient = report.review_note_by or report.created_by
    back_to_draft(report, user=user)
    _leave_note(report, note, by=user, to=recipient)
    return report


def may_replace_text(user, report_status):
    """Why ``user`` may not replace the text of a report in this status; None if they may.

    A new text for a report that is published (live or scheduled) or withdrawn
    changes what the public sees or will see, so it needs the publish permission.
    """
    if report_status in UNPUBLISHED or can_publish(user):
        return None
    return (
        f"the report is {ReportStatus(report_status).label.lower()}: replacing its text "
        "would change the public site, and only editors may; ask an editor to import it"
    )


def shown_to_public(obj):
    """Whether a speaker, organization, topic or programme appears on the public site.

    Its name and details show on every public report that names it, so changing
    them changes what the public sees: that is for those who may publish.
    """
    if isinstance(obj, Programme):
        return Report.objects.public().filter(programme=obj.pk).exists()
    return type(obj).objects.public().filter(pk=obj.pk).exists()
