"""History of reports with django-reversion: what is recorded, comparing and reverting.

A report's revision holds the report, its segments and their quotes (the
``follow`` chain below), and so does a revision saved from a segment's or a
quote's own page (the admin adds the report). Reverting any of them brings
all three back, including segments and quotes deleted since, and deletes the
ones added since: :class:`Revert` checks that with ``workflow`` first.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from itertools import chain

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from reversion.models import Version
from reversion.revisions import _follow_relations_recursive

from . import curation, workflow
from .identity import matching as identity_matching
from .models import Correction, Quote, Report, Segment

reversion.register(Report, follow=["segments", "corrections"])
reversion.register(Segment, follow=["quotes"])
reversion.register(Quote)
reversion.register(Correction)

MODEL_ORDER = {Report: 0, Segment: 1, Quote: 2, Correction: 3}
# Bookkeeping, not content: they differ between any two saves.
IGNORED = {"id", "updated_at", "created_at", "first_public_at"}


def last_saved_by(report):
    """Who saved the report's current state, when a revision recorded it; else None.

    The newest revision is only theirs if it holds the report as it is now:
    an import or the shell saves without recording a revision.
    """
    versions = Version.objects.get_for_object(report).select_related("revision__user")
    version = versions.order_by("-pk").first()
    if version is None:
        return None
    recorded = version.field_dict.get("updated_at")
    # The serializer keeps milliseconds only.
    if recorded and abs(recorded - report.updated_at) < timedelta(milliseconds=1):
        return version.revision.user
    return None


@dataclass(frozen=True)
class Difference:
    model: str
    object_repr: str
    field: str
    before: object
    after: object


def _snapshot(revision):
    """{(model, object id): (model, repr, field values)} for a report's revision."""
    snapshot = {}
    for version in revision.version_set.select_related("content_type"):
        model = version.content_type.model_class()
        if model in MODEL_ORDER:
            key = (MODEL_ORDER[model], version.object_id)
            snapshot[key] = (model, version.object_repr, version.field_dict)
    return snapshot


def _sort_key(item):
    (order, object_id), (_model, _repr, fields) = item
    return order, fields.get("position", 0), int(object_id)


def compare(old_revision, new_revision):
    """Field-by-field differences between two revisions of a report, in page order."""
    old, new = _snapshot(old_revision), _snapshot(new_revision)
    differences = []
    for key, (model, object_repr, fields) in sorted({**old, **new}.items(), key=_sort_key):
        model_name = model._meta.verbose_name
        if key not in old:
            differences.append(Difference(model_name, object_repr, "(whole record)", "—", "added"))
            continue
        if key not in new:
            differences.append(
                Difference(model_name, object_repr, "(whole record)", "present", "deleted")
            )
            continue
        before, after = old[key][2], fields
        for field in model._meta.concrete_fields + model._meta.many_to_many:
            name = field.attname
            if name in IGNORED or before.get(name) == after.get(name):
                continue
            differences.append(
                Difference(
                    model_name, object_repr, field.verbose_name, before.get(name), after.get(name)
                )
            )
    return differences


class Revert:
    """Reverting a report's revision, as one action that checks before it acts.

    Whoever reverts (the admin's revert and recover views of every model, or
    the shell) goes through ``workflow``: changing a report's publication
    state, bringing back a deleted report or deleting the segments and quotes
    added since are refused with PermissionDenied to someone not allowed to.
    """

    def __init__(self, revision, *, user):
        self.revision = revision
        self.user = user
        self.notes = []  # what the revert did that the editor should be told

    def _report_versions(self):
        versions = self.revision.version_set.select_related("content_type")
        return [v for v in versions if v.content_type.model_class() is Report]

    def deletions(self):
        """What ``revision.revert(delete=True)`` deletes, found the way django-reversion finds it.

        Everything the revision's objects (as they are now) lead to through
        their ``follow`` relations that the revision does not hold.
        """
        present = set()
        for version in self.revision.version_set.select_related("content_type"):
            model = version.content_type.model_class()
            obj = model._default_manager.filter(pk=version.object_id).first()
            if obj is not None:
                present.add(obj)
        reached = chain.from_iterable(_follow_relations_recursive(obj) for obj in present)
        return [obj for obj in set(reached) if obj not in present]

    def check(self):
        """Refuse (PermissionDenied) what ``user`` may not do; locks the reports it touches."""
        for version in self._report_versions():
            current = Report.objects.select_for_update().filter(pk=version.object_id).first()
            try:
                if current is None:
                    workflow.check_restore(self.user)
                else:
                    after = workflow.PublicationState.from_fields(version.field_dict)
                    workflow.check_change(self.user, workflow.PublicationState.of(current), after)
            except PermissionDenied as refusal:
                what = "bring back" if current is None else "change the publication of"
                raise PermissionDenied(
                    f"this version would {what} the report “{version.object_repr}”. {refusal}"
                ) from None
        try:
            workflow.check_delete(self.user, self.deletions())
        except PermissionDenied as refusal:
            raise PermissionDenied(
                f"the report has parts added since this version. {refusal}"
            ) from None

    @contextmanager
    def applying(self):
        """Check, then run the block that reverts; it sets ``.keep = False`` to undo.

        Segment positions are moved out of the way first (restored positions
        must not collide) and numbered 1..n after; whether each report has
        been public is remembered across the revert.
        """
        with transaction.atomic():
            self.check()
            reports = Report.objects.filter(pk__in=[v.object_id for v in self._report_versions()])
            remembered = {}
            for report in reports:
                # The revert writes the stored row back as it was, bypassing save().
                report.remember_public(report)
                remembered[report.pk] = report.first_public_at
                curation.make_room(report.pk)
            self.keep = True
            yield self
            if not self.keep:
                transaction.set_rollback(True)
                return
            for report_id, first_public_at in remembered.items():
                curation.renumber(report_id)
                if first_public_at is not None:
                    Report.objects.filter(pk=report_id).update(first_public_at=first_public_at)

    def reattach_merged_speakers(self):
        """Once the old rows are written back: a speaker merged away since is the kept one."""
        self.notes += identity_matching.reattach_merged(self.revision)

    def execute(self):
        with self.applying():
            self.revision.revert(delete=True)
            self.reattach_merged_speakers()
