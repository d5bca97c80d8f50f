"""Small factories: each makes a valid object from the fewest fields."""

import itertools
from datetime import timedelta

from django.utils import timezone

from archive.models import (
    Correction,
    Organization,
    Programme,
    Quote,
    Report,
    Segment,
    Speaker,
    Topic,
)

_counter = itertools.count(1)


def make_organization(name=None, **fields):
    return Organization.objects.create(name=name or f"Organization {next(_counter)}", **fields)


def make_topic(name=None, **fields):
    return Topic.objects.create(name=name or f"Topic {next(_counter)}", **fields)


def make_speaker(name=None, **fields):
    return Speaker.objects.create(name=name or f"Speaker {next(_counter)}", **fields)


def make_report(title=None, *, status=Report.Status.PUBLISHED, published_at=None, **fields):
    if status == Report.Status.PUBLISHED and published_at is None:
        published_at = timezone.now() - timedelta(hours=1)
    if status == Report.Status.WITHDRAWN:
        # Withdrawn after it was public, as most are (first_public_at=None: never public).
        fields.setdefault("first_public_at", published_at or timezone.now() - timedelta(hours=1))
    return Report.objects.create(
        title=title or f"Report {next(_counter)}",
        status=status,
        published_at=published_at,
        **fields,
    )


def make_segment(report=None, *, text="Words spoken on air.", position=None, **fields):
    report = report or make_report()
    if position is None:
        position = report.segments.count() + 1
    return Segment.objects.create(report=report, position=position, text=text, **fields)


def make_quote(segment=None, *, text=None, speaker=None, **fields):
    segment = segment or make_segment(kind=Segment.Kind.SOUNDBITE, speaker=make_speaker())
    speaker = speaker or segment.speaker or make_speaker()
    return Quote.objects.create(
        segment=segment, speaker=speaker, text=text or segment.text, **fields
    )


def make_programme(name=None, *, outlet=None, **fields):
    return Programme.objects.create(
        name=name or f"Programme {next(_counter)}", outlet=outlet, **fields
    )


def make_correction(report=None, *, what_was_wrong="A name was misspelled.", **fields):
    return Correction.objects.create(
        report=report or make_report(), what_was_wrong=what_was_wrong, **fields
    )
