"""A report's content as django-reversion records it, for pending changes.

An *entry* is one object of the report's ``follow`` graph (the report, its
segments, their quotes, its corrections) in the shape of a reversion
``Version``: model label, object id, format, serialized data and repr. Entries
are plain JSON, so they can be stored, compared and turned back into unsaved
``Version`` objects (whose ``field_dict`` and ``revert`` reversion provides).
"""

import json

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import router
from django.db.models import Q
from django.utils.encoding import force_str
from reversion.models import Version
from reversion.revisions import _get_options

from .. import history
from ..models import Correction, Quote, Report, ReportStatus, Segment

ORDER = {model._meta.label_lower: rank for model, rank in history.MODEL_ORDER.items()}


def live_q():
    """What the public sees or will see: published (now or scheduled), or gone with its notice."""
    return Q(status=ReportStatus.PUBLISHED) | Q(
        status=ReportStatus.WITHDRAWN, first_public_at__isnull=False
    )


def is_live(report):
    return (
        report is not None
        and report.pk is not None
        and Report.objects.filter(live_q(), pk=report.pk).exists()
    )


def entry_of(obj, *, object_repr=None):
    options = _get_options(type(obj))
    return {
        "model": obj._meta.label_lower,
        "object_id": force_str(obj.pk),
        "format": options.format,
        "serialized_data": serializers.serialize(
            options.format,
            (obj,),
            fields=options.fields,
            use_natural_foreign_keys=options.use_natural_foreign_keys,
        ),
        "object_repr": force_str(obj) if object_repr is None else object_repr,
    }


def entry_order(entry):
    return ORDER.get(entry["model"], len(ORDER)), int(entry["object_id"])


def graph(report_id):
    """The report and what reversion follows from it (history.py), in five queries.

    Reversion's own walk asks for each segment's quotes in turn; this is the
    same set of objects, fetched by report.
    """
    report = Report.objects.prefetch_related("topics").filter(pk=report_id).first()
    if report is None:
        return []
    return [
        report,
        # What each object's repr names comes along.
        *Segment.objects.filter(report_id=report_id).select_related("report"),
        *Quote.objects.filter(segment__report_id=report_id).select_related("speaker"),
        *Correction.objects.filter(report_id=report_id).select_related("report"),
    ]


def snapshot(report_id):
    """The entries of the report as the database holds it now; [] when it is gone."""
    return sorted((entry_of(obj) for obj in graph(report_id)), key=entry_order)


def fields_of(entry):
    """The stored field values of an entry, bookkeeping left out."""
    fields = json.loads(entry["serialized_data"])[0]["fields"]
    return {name: value for name, value in fields.items() if name not in history.IGNORED}


def content(entries):
    """{(model, object id): fields}: what two snapshots are compared by."""
    return {(entry["model"], entry["object_id"]): fields_of(entry) for entry in entries}


def same_content(first, second):
    return content(first) == content(second)


def as_version(entry, revision=None):
    """An (unsaved) reversion Version holding ``entry``."""
    model = apps.get_model(entry["model"])
    return Version(
        revision=revision,
        content_type=ContentType.objects.get_for_model(model),
        object_id=entry["object_id"],
        db=router.db_for_write(model),
        format=entry["format"],
        serialized_data=entry["serialized_data"],
        object_repr=entry["object_repr"],
    )
