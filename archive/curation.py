"""Editorial operations on the archive's data, shared by the admin and the shell."""

from django.db.models import Count, F, Max
from django.utils import timezone

from .models import Report, Segment, Speaker


def touch_report(report_id):
    """Mark a report as changed, so an editor holding an older form is warned."""
    Report.objects.filter(pk=report_id).update(updated_at=timezone.now())


def make_room(report_id):
    """Move a report's segments past any position they could be given next.

    Positions are unique per report and the constraint is checked row by row,
    so reordering (or reverting an order) in place would collide midway.
    """
    segments = Segment.objects.filter(report_id=report_id)
    top = segments.aggregate(top=Max("position"))["top"] or 0
    segments.update(position=F("position") + top + segments.count() + 1)


def renumber(report_id):
    """Number a report's segments 1..n in their current order."""
    segments = list(Segment.objects.filter(report_id=report_id).order_by("position", "pk"))
    make_room(report_id)
    for number, segment in enumerate(segments, start=1):
        segment.position = number
    Segment.objects.bulk_update(segments, ["position"])
    return segments


def most_heard(speakers):
    """The speaker with the most appearances: the default to keep in a merge."""
    return (
        Speaker.objects.filter(pk__in=[s.pk for s in speakers])
        .annotate(appearances=Count("segments"))
        .order_by("-appearances", "pk")
        .first()
    )
