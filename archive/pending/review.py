"""An editor's answer to a pending change: see what it changes, publish it or discard it."""

from collections import defaultdict
from dataclasses import dataclass

import reversion
from django.apps import apps
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from reversion.models import Revision

from .. import curation, history, workflow
from ..models import PendingChange, Quote, Report, Segment
from ..text import word_changes
from .snapshots import as_version, content, entry_of, entry_order, same_content, snapshot


def by_whom(user):
    return user.get_full_name() or user.get_username()


def is_stale(change):
    """Whether the live report changed since the pending change was made against it."""
    return not same_content(snapshot(change.report_id), change.base)


def may_discard(user, change):
    return workflow.can_publish(user) or (user.is_active and user.pk == change.author_id)


def publish(change, *, user):
    """Make ``change`` the live report, in one revision by ``user``; the change is used up.

    Refused (PermissionDenied) to anyone who may not publish; refused
    (ValidationError, nothing written) when the live report changed since the
    change was made, or when what it would publish is held back by
    ``workflow.publish_blockers`` (segments that need review; its flagged quotes
    stay hidden until they match, as after an editor's own save).
    """
    if not workflow.can_publish(user):
        raise PermissionDenied("Only editors may publish a pending change.")
    author = by_whom(change.author)
    with transaction.atomic():
        report = Report.objects.select_for_update().filter(pk=change.report_id).first()
        if report is None or is_stale(change):
            raise ValidationError(
                f"The live report changed after {author} made this change, so publishing it "
                "would undo that newer work. Discard it, or ask them to make it again."
            )
        refuse_missing_references(change)
        with reversion.create_revision():
            # The change, as a revision to revert to: history.Revert checks and applies it.
            revision = Revision.objects.create(date_created=timezone.now(), user=change.author)
            for entry in _with_ids_of_their_own(change):
                as_version(entry, revision).save()
            history.Revert(revision, user=user).execute()
            # After the revert, which names its own revision "Reverted to…": this one says why.
            reversion.set_user(user)
            note = f": {change.comment}" if change.comment else ""
            reversion.set_comment(f"Published the pending change by {author}{note}")
            revision.delete()
            if blockers := workflow.publish_blockers(report, flagged_quotes=False):
                raise ValidationError(" ".join(blockers))
            curation.touch_report(report.pk)
            reversion.add_to_revision(Report.objects.get(pk=report.pk))
        change.delete()
    return report


def refuse_missing_references(change):
    """Refuse a change that names a speaker, topic, outlet or programme deleted since."""
    wanted = defaultdict(set)
    for entry in change.data:
        model = apps.get_model(entry["model"])
        for name, value in as_version(entry).field_dict.items():
            field = model._meta.get_field(name.removesuffix("_id"))
            target = field.related_model
            if target is None or target in history.MODEL_ORDER or value in (None, []):
                continue
            wanted[target].update(value if field.many_to_many else [value])
    missing = []
    for target, ids in wanted.items():
        gone = len(ids - set(target.objects.filter(pk__in=ids).values_list("pk", flat=True)))
        if gone:
            name = target._meta.verbose_name if gone == 1 else target._meta.verbose_name_plural
            missing.append(f"{gone} {name}")
    if missing:
        raise ValidationError(
            f"This change names {' and '.join(missing)} deleted (or merged) since it was made. "
            "Discard it, and make it again."
        )


def discard(change, *, user):
    if not may_discard(user, change):
        raise PermissionDenied("Only an editor, or its author, may discard a pending change.")
    change.delete()


def _with_ids_of_their_own(change):
    """The change's entries; what it added is first stored under new ids.

    Its new segments and quotes got their ids inside a transaction that was
    rolled back, and on SQLite the next insert may have taken those ids since.
    Quotes follow their segment to its new id.
    """
    existing = set(content(change.base))
    new_ids = {}
    entries = []
    top = Segment.objects.filter(report_id=change.report_id).aggregate(top=Max("position"))["top"]
    spare_position = (top or 0) + len(change.data) + 1
    for entry in sorted(change.data, key=entry_order):
        obj = next(serializers.deserialize(entry["format"], entry["serialized_data"])).object
        if isinstance(obj, Quote):
            obj.segment_id = new_ids.get(obj.segment_id, obj.segment_id)
        if (entry["model"], entry["object_id"]) not in existing:
            old_id, position = obj.pk, getattr(obj, "position", None)
            obj.pk = None
            if isinstance(obj, Segment):
                obj.position, spare_position = spare_position, spare_position + 1
            obj.save_base(raw=True)
            new_ids[old_id] = obj.pk
            if position is not None:
                obj.position = position
        if isinstance(obj, Quote) or obj.pk != int(entry["object_id"]):
            entry = entry_of(obj, object_repr=entry["object_repr"])
        entries.append(entry)
    return entries


@dataclass(frozen=True)
class Change:
    """One difference between the live report and the pending one, for the review page."""

    record: str
    field: str
    live: object
    pending: object
    words: str  # HTML: the word-level difference of two texts, escaped; "" otherwise


def _as_snapshot(entries):
    """Entries in the shape ``history.compare_snapshots`` reads."""
    snapshot = {}
    for entry in entries:
        model = apps.get_model(entry["model"])
        version = as_version(entry)
        snapshot[(history.MODEL_ORDER[model], entry["object_id"])] = (
            model,
            entry["object_repr"],
            version.field_dict,
        )
    return snapshot


def differences(change):
    """Field by field, with word-level differences of texts: the live report → the change."""
    live = _as_snapshot(snapshot(change.report_id))
    found = history.compare_snapshots(live, _as_snapshot(change.data))
    return [
        Change(
            record=f"{d.model.capitalize()}: {d.object_repr}",
            field=d.field,
            live=d.before,
            pending=d.after,
            words=word_difference(d.before, d.after)
            if isinstance(d.before, str) and isinstance(d.after, str)
            else "",
        )
        for d in found
    ]


def word_difference(before, after):
    """The words taken out (<del>) and put in (<ins>), everything escaped."""
    marks = {"same": "{}", "removed": "<del>{}</del>", "added": "<ins>{}</ins>"}
    pieces = [marks[kind].format(escape(words)) for kind, words in word_changes(before, after)]
    return mark_safe(" ".join(pieces))  # noqa: S308  every piece is escaped above


def pending_for(report):
    """The report's pending changes, newest first, with their authors."""
    return list(PendingChange.objects.filter(report=report).select_related("author"))
