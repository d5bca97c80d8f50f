import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command

from archive.models import Organization, Quote, Report, Segment, Speaker, Topic

pytestmark = pytest.mark.django_db

SEED = settings.BASE_DIR / "fixtures" / "transcripts" / "skolkovo-china-russia-hi-tech-center.txt"
WORD = re.compile(r"\w+(?:['’-]\w+)*")


def archive_content():
    """Everything a reader could see, keyed by natural keys, not row ids."""
    return {
        "organizations": sorted(Organization.objects.values_list("slug", "name")),
        "topics": sorted(Topic.objects.values_list("slug", "name")),
        "speakers": sorted(
            Speaker.objects.values_list("slug", "name", "role", "organization__slug")
        ),
        "reports": sorted(
            (
                r.slug,
                r.title,
                r.outlet.slug,
                r.correspondent.slug,
                r.dateline,
                r.duration,
                r.status,
                r.published_at,
                r.source_checksum,
                tuple(sorted(r.topics.values_list("slug", flat=True))),
            )
            for r in Report.objects.all()
        ),
        "segments": sorted(
            Segment.objects.values_list(
                "report__slug", "position", "kind", "speaker__slug", "speaker_title", "text"
            ),
            key=lambda row: (row[0], row[1]),
        ),
        "quotes": sorted(
            Quote.objects.values_list(
                "segment__report__slug",
                "segment__position",
                "speaker__slug",
                "text",
                "featured",
                "matches_source",
            )
        ),
    }


def test_fixture_holds_the_seed_report_fully_structured(seed_report):
    assert Report.objects.count() == 1
    assert seed_report.status == Report.Status.PUBLISHED
    assert seed_report in Report.objects.public()
    assert seed_report.outlet.name == "CGTN"
    assert seed_report.correspondent.name == "Aljosa Milenkovic"
    assert seed_report.dateline == "Skolkovo"
    assert seed_report.duration == timedelta(minutes=3, seconds=28)

    segments = list(seed_report.segments.select_related("speaker"))
    assert [(s.kind, s.speaker and s.speaker.name) for s in segments] == [
        ("intro", None),
        ("narration", "Aljosa Milenkovic"),
        ("soundbite", "Igor"),
        ("narration", "Aljosa Milenkovic"),
        ("standup", "Aljosa Milenkovic"),
        ("narration", "Aljosa Milenkovic"),
        ("soundbite", "Kiril Kaem"),
        ("narration", "Aljosa Milenkovic"),
        ("soundbite", "Maxim Kuznetsov"),
        ("narration", "Aljosa Milenkovic"),
        ("signoff", "Aljosa Milenkovic"),
    ]
    assert [s.position for s in segments] == list(range(1, 12))
    assert segments[4].speaker_title == "SKOLKOVO"
    assert segments[6].speaker_title == "SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION"
    assert segments[10].text == "Aljosa Milenkovic, CGTN, Skolkovo."


def test_fixture_speakers_organizations_and_quotes(seed_report):
    assert Speaker.objects.count() == 4
    assert set(Speaker.objects.values_list("name", "organization__name")) >= {
        ("Igor", "Motorica"),
        ("Kiril Kaem", "Skolkovo Foundation"),
        ("Maxim Kuznetsov", "Russian-Asian Union of Industrialists and Entrepreneurs"),
    }
    soundbites = seed_report.segments.filter(kind=Segment.Kind.SOUNDBITE)
    assert Quote.objects.count() == soundbites.count() == 3
    for segment in soundbites:
        (quote,) = segment.quotes.all()
        assert quote.speaker == segment.speaker
        assert quote.matches_source


def test_segments_rebuild_every_word_of_the_transcript_in_order(seed_report):
    paragraphs = SEED.read_text(encoding="utf-8").splitlines()[3:]
    cues = re.compile(r'^[A-Z][A-Z ,.\'-]+ "')  # the cue labels are captions, not speech
    transcript_words = WORD.findall(" ".join(cues.sub("", p) for p in paragraphs))
    segment_words = WORD.findall(" ".join(seed_report.segments.values_list("text", flat=True)))
    assert segment_words == transcript_words


def test_loading_the_fixture_twice_duplicates_nothing(seed_report):
    before = archive_content()
    call_command("loaddata", "archive", verbosity=0)
    assert archive_content() == before


def test_natural_key_dump_reloads_to_identical_content(seed_report):
    before = archive_content()
    dump = io.StringIO()
    call_command(
        "dumpdata",
        "archive",
        natural_foreign=True,
        natural_primary=True,
        format="json",
        stdout=dump,
    )
    Quote.objects.all().delete()
    Report.objects.all().delete()
    Speaker.objects.all().delete()
    Organization.objects.all().delete()
    Topic.objects.all().delete()
    assert archive_content()["segments"] == []

    path = settings.BASE_DIR / "var" / "test-dump.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(dump.getvalue(), encoding="utf-8")
    try:
        call_command("loaddata", str(path), verbosity=0)
    finally:
        path.unlink()
    assert archive_content() == before
