"""History of reports with django-reversion: what is recorded, and comparing two records.

A report's revision holds the report, its segments and their quotes (the
``follow`` chain below), so reverting a revision brings all three back,
including segments and quotes deleted since.
"""

from dataclasses import dataclass
from datetime import timedelta

import reversion
from reversion.models import Version

from .models import Quote, Report, Segment

reversion.register(Report, follow=["segments"])
reversion.register(Segment, follow=["quotes"])
reversion.register(Quote)

MODEL_ORDER = {Report: 0, Segment: 1, Quote: 2}
# Bookkeeping, not content: they differ between any two saves.
IGNORED = {"id", "updated_at", "created_at"}


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
