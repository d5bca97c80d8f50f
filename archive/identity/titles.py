"""A speaker's titles over time, as broadcast: each caption with the first and last day it aired."""

from django.db.models import Max, Min

from ..models import BroadcastDate, Segment


def titles_over_time(speaker, *, now=None):
    """[{"title", "first", "last"}] for ``speaker``'s captions in public reports, oldest first.

    One query: the public segments grouped by caption, dated by the report's air
    date (its publication day where that is unknown).
    """
    captions = (
        Segment.objects.public(now=now)
        .filter(speaker=speaker)
        .exclude(speaker_title="")
        .values("speaker_title")
        .annotate(first=Min(BroadcastDate("report__")), last=Max(BroadcastDate("report__")))
        .order_by("first", "last", "speaker_title")
    )
    return [
        {"title": row["speaker_title"], "first": row["first"], "last": row["last"]}
        for row in captions
    ]
