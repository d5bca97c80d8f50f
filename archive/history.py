"""History of reports with django-reversion: what is recorded, comparing and reverting.

A report's revision holds the report, its segments and their quotes (the
``follow`` chain below), and so does a revision saved from a segment's or a
quote's own page (the admin adds the report). Reverting any of them brings
all three back, including segments and quotes deleted since, and deletes the
ones added since: :class:`Revert` checks that with ``workflow`` first.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import chain, islice

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Revision, Version
from reversion.revisions import _follow_relations_recursive, _get_options

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
    return compare_snapshots(_snapshot(old_revision), _snapshot(new_revision))


def compare_snapshots(old, new):
    """The differences between two ``{(model order, id): (model, repr, fields)}`` mappings.

    Values read as the desk shows them: related records (topics, speakers,
    organizations, the programme, a quote's segment) by name, choices by
    label, times to the second in the site's time zone.
    """
    changes = []
    for key, (model, object_repr, fields) in sorted({**old, **new}.items(), key=_sort_key):
        model_name = model._meta.verbose_name
        if key not in old:
            changes.append((model_name, object_repr, None, "—", "added"))
            continue
        if key not in new:
            changes.append((model_name, object_repr, None, "present", "deleted"))
            continue
        before, after = old[key][2], fields
        for field in model._meta.concrete_fields + model._meta.many_to_many:
            name = field.attname
            if name in IGNORED or _same(field, before.get(name), after.get(name)):
                continue
            changes.append((model_name, object_repr, field, before.get(name), after.get(name)))
    names = _names_of_related(changes)
    return [
        Difference(model_name, object_repr, "(whole record)", before, after)
        if field is None
        else Difference(
            model_name,
            object_repr,
            field.verbose_name,
            _shown(field, before, names),
            _shown(field, after, names),
        )
        for model_name, object_repr, field, before, after in changes
    ]


def _same(field, before, after):
    if field.many_to_many:  # the order of a set of topics is no change
        return sorted(before or []) == sorted(after or [])
    return before == after


def _names_of_related(changes):
    """{(related model, pk): its name} for every related record the changes mention:
    one query a model, whatever the number of changes."""
    wanted = {}
    for _model_name, _repr, field, *values in changes:
        if field is None or not field.is_relation:
            continue
        for value in values:
            ids = value if field.many_to_many else [value]
            wanted.setdefault(field.related_model, set()).update(v for v in ids or () if v)
    names = {}
    for model, ids in wanted.items():
        for obj in model._base_manager.filter(pk__in=ids):
            names[model, obj.pk] = str(obj)
    return names


def _shown(field, value, names):
    """A stored value as an editor reads it (None stays None: the page shows a dash)."""
    if value is None or value == "":
        return value
    if field.is_relation:
        model = field.related_model
        if field.many_to_many:
            shown = sorted(names.get((model, pk), f"#{pk} (deleted since)") for pk in value)
            return ", ".join(shown) or "(none)"
        return names.get((model, value), f"#{value} (deleted since)")
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), SECONDS_FORMAT)
    return value


# Revisions of one minute are told apart by their seconds.
SECONDS_FORMAT = "j M Y, H:i:s"


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
            # A deleted report that comes back was nothing public before.
            states_before = {
                str(v.object_id): workflow.PublicationState() for v in self._report_versions()
            }
            for report in reports:
                states_before[str(report.pk)] = workflow.PublicationState.of(report)
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
            self._check_publishable(states_before)

    @staticmethod
    def _check_publishable(states_before):
        """Refuse a revert that publishes a report ``workflow.publish_blockers`` holds back.

        Checked once the revision is back, on the segments it brought back.
        """
        for report in Report.objects.filter(pk__in=states_before):
            after = workflow.PublicationState.of(report)
            try:
                workflow.check_publishable(report, states_before[str(report.pk)], after)
            except ValidationError as refusal:
                raise PermissionDenied(
                    f"this version would publish the report “{report.title}”. "
                    + " ".join(refusal.messages)
                ) from None

    def reattach_merged_speakers(self):
        """Once the old rows are written back: a speaker merged away since is the kept one."""
        self.notes += identity_matching.reattach_merged(self.revision)

    def execute(self):
        """Revert, and record what it brought back as a revision of its own (as the desk does)."""
        when = date_format(timezone.localtime(self.revision.date_created), SECONDS_FORMAT)
        # One transaction; added once renumbered, so the revision holds the final positions.
        with reversion.create_revision(manage_manually=True):
            with self.applying():
                self.revision.revert(delete=True)
                self.reattach_merged_speakers()
            for version in self._report_versions():
                reversion.add_to_revision(Report.objects.get(pk=version.object_id))
            reversion.set_user(self.user)
            reversion.set_comment(f"Reverted to the version of {when}.")


def record_as_imported(file_names, *, user=None):
    """One "as imported" revision per report; ``file_names`` maps report ids to their files.

    It holds what an admin save's revision holds (the report, its segments,
    their quotes, its corrections) as the import left them. Built in bulk and
    streamed: a few queries a batch, not several per segment, and a long
    transcript's versions are written a slice at a time, so memory stays flat.
    """
    if not file_names:
        return []
    reports = {
        report.pk: report
        for report in Report.objects.filter(pk__in=file_names).prefetch_related("topics")
    }
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        Revision(date_created=now, user=user, comment=f"As imported from {file_names[pk]}.")
        for pk in reports
    )
    revision_of = dict(zip(reports, revisions, strict=True))
    segments = Segment.objects.filter(report_id__in=reports).order_by("report_id", "position")
    quotes = Quote.objects.filter(segment__report_id__in=reports).select_related("speaker")
    quotes = quotes.annotate(report_id=F("segment__report_id")).order_by("pk")
    corrections = Correction.objects.filter(report_id__in=reports).order_by("pk")

    def versions():
        for pk, report in reports.items():
            yield _version_of(report, revision_of[pk])
        for segment in segments.iterator(chunk_size=VERSION_BATCH):
            segment.report = reports[segment.report_id]  # its repr names the report
            yield _version_of(segment, revision_of[segment.report_id])
        for quote in quotes.iterator(chunk_size=VERSION_BATCH):
            yield _version_of(quote, revision_of[quote.report_id])
        for correction in corrections.iterator(chunk_size=VERSION_BATCH):
            correction.report = reports[correction.report_id]
            yield _version_of(correction, revision_of[correction.report_id])

    stream = versions()
    while batch := list(islice(stream, VERSION_BATCH)):
        _insert_versions(batch)
    return revisions


VERSION_BATCH = 500
_VERSION_COLUMNS = ["revision", "object_id", "content_type", "db", "format", "serialized_data",
                    "object_repr"]  # fmt: skip


def _insert_versions(versions):
    """INSERT with one executemany, as the importer writes its rows: with DEBUG on,
    bulk_create's statement (the whole transcript in it) would stay in the query log."""
    quote = connection.ops.quote_name
    columns = [Version._meta.get_field(name).column for name in _VERSION_COLUMNS]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(Version._meta.db_table),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    rows = [[getattr(version, column) for column in columns] for version in versions]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _version_of(obj, revision):
    """The Version django-reversion would store for ``obj`` (see reversion's _add_to_revision)."""
    options = _get_options(type(obj))
    return Version(
        revision=revision,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        db=obj._state.db,
        format=options.format,
        serialized_data=serializers.serialize(
            options.format,
            (obj,),
            fields=options.fields,
            use_natural_foreign_keys=options.use_natural_foreign_keys,
        ),
        object_repr=str(obj),
    )
