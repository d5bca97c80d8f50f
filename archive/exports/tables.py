"""What the data package holds: one table per kind of record, field by field.

Each field is (name, Frictionless type, description, how to read it from a
row of ``values()``); that one list gives the CSV header, the JSON Lines
keys and the data dictionary in ``datapackage.json``.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef

from ..models import Organization, Quote, Report, Segment, Speaker, Topic

CHUNK = 2000


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str
    source: str | None = None  # the values() key; the name when None

    @property
    def key(self):
        return self.source or self.name


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    fields: tuple
    primary_key: tuple
    foreign_keys: tuple = ()  # (field, table, field)

    def queryset(self):
        return QUERYSETS[self.name]()

    def rows(self):
        """Plain values per row, in primary-key order, fetched CHUNK rows at a time."""
        keys = [field.key for field in self.fields]
        for row in self.queryset().order_by("pk").values(*keys).iterator(chunk_size=CHUNK):
            yield [plain(row[key]) for key in keys]


def plain(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return value


def _public_speakers():
    return Speaker.objects.public()


def _appearances():
    return Segment.objects.public().filter(speaker__isnull=False)


QUERYSETS = {
    "reports": Report.objects.public,
    "segments": Segment.objects.public,
    "speakers": _public_speakers,
    "appearances": _appearances,
    "organizations": Organization.objects.public,
    "topics": Topic.objects.public,
    "report_topics": lambda: Report.topics.through.objects.filter(
        Exists(Report.objects.public().filter(pk=OuterRef("report_id")))
    ),
    "quotes": Quote.objects.public,
}

SLUG = "The stable identifier in the archive's URLs (/reports/<slug>/, /speakers/<slug>/…)."

TABLES = (
    Table(
        "reports",
        "Reports",
        "Broadcast news reports, one row each, as published in the archive.",
        (
            Field("slug", "string", SLUG),
            Field("title", "string", "The report's headline."),
            Field(
                "outlet", "string", "Slug of the broadcaster (organizations.slug).", "outlet__slug"
            ),
            Field(
                "correspondent",
                "string",
                "Slug of the correspondent who filed it (speakers.slug).",
                "correspondent__slug",
            ),
            Field("dateline", "string", "Where the report was filed."),
            Field("duration_seconds", "integer", "Length of the broadcast.", "duration"),
            Field("published_at", "datetime", "When the archive published it (ISO 8601)."),
            Field("updated_at", "datetime", "When it last changed in the archive."),
            Field("aired_on", "date", "The day it aired, where known (ISO 8601)."),
            Field("aired_time", "time", "The local time it aired, where known."),
            Field("aired_utc_offset", "integer", "That time's offset from UTC, in minutes."),
            Field("programme", "string", "Slug of the programme it aired on.", "programme__slug"),
            Field("language", "string", "Its language, a BCP 47 tag."),
            Field("source_url", "string", "Where the transcript came from."),
            Field("media_url", "string", "The recording."),
        ),
        ("slug",),
        (("outlet", "organizations", "slug"), ("correspondent", "speakers", "slug")),
    ),
    Table(
        "segments",
        "Segments",
        "The ordered parts of each report's transcript.",
        (
            Field("report", "string", "Slug of the report (reports.slug).", "report__slug"),
            Field("position", "integer", "Order within the report, from 1."),
            Field(
                "kind",
                "string",
                "intro, narration, soundbite, standup, signoff or direction.",
            ),
            Field(
                "speaker",
                "string",
                "Slug of who speaks (speakers.slug), if known.",
                "speaker__slug",
            ),
            Field("speaker_title", "string", "The speaker's caption as broadcast."),
            Field("text", "string", "What was said, word for word."),
            Field("start_seconds", "number", "Start time in the recording, if known."),
            Field("end_seconds", "number", "End time in the recording, if known."),
        ),
        ("report", "position"),
        (("report", "reports", "slug"), ("speaker", "speakers", "slug")),
    ),
    Table(
        "speakers",
        "Speakers",
        "People heard or credited in public reports.",
        (
            Field("slug", "string", SLUG),
            Field("name", "string", "The person's name."),
            Field("role", "string", "Their current title; each appearance keeps its caption."),
            Field(
                "organization",
                "string",
                "Slug of who they speak for (organizations.slug).",
                "organization__slug",
            ),
            Field("authority_id", "string", "Their Wikidata identifier (Q42), where known."),
        ),
        ("slug",),
        (("organization", "organizations", "slug"),),
    ),
    Table(
        "appearances",
        "Appearances",
        "Each segment a speaker is heard in, with the title they were captioned with then.",
        (
            Field("speaker", "string", "Slug of the speaker (speakers.slug).", "speaker__slug"),
            Field("report", "string", "Slug of the report (reports.slug).", "report__slug"),
            Field("position", "integer", "The segment's position in the report."),
            Field("kind", "string", "The segment's kind."),
            Field("speaker_title", "string", "The caption as broadcast in this report."),
        ),
        ("report", "position"),
        (("speaker", "speakers", "slug"), ("report", "reports", "slug")),
    ),
    Table(
        "organizations",
        "Organizations",
        "Outlets of public reports and organizations of public speakers.",
        (Field("slug", "string", SLUG), Field("name", "string", "The organization's name.")),
        ("slug",),
    ),
    Table(
        "topics",
        "Topics",
        "Topics of public reports.",
        (Field("slug", "string", SLUG), Field("name", "string", "The topic as shown.")),
        ("slug",),
    ),
    Table(
        "report_topics",
        "Report topics",
        "Which report has which topic.",
        (
            Field("report", "string", "Slug of the report (reports.slug).", "report__slug"),
            Field("topic", "string", "Slug of the topic (topics.slug).", "topic__slug"),
        ),
        ("report", "topic"),
        (("report", "reports", "slug"), ("topic", "topics", "slug")),
    ),
    Table(
        "quotes",
        "Quotes",
        "Curated excerpts of what a speaker said, word for word from a segment.",
        (
            Field("id", "integer", "The quote's number, as in /quotes/<id>/."),
            Field("speaker", "string", "Slug of the speaker (speakers.slug).", "speaker__slug"),
            Field(
                "report", "string", "Slug of the report (reports.slug).", "segment__report__slug"
            ),
            Field("position", "integer", "Position of the quoted segment.", "segment__position"),
            Field("text", "string", "The excerpt; an ellipsis joins parts in order."),
            Field("featured", "boolean", "Featured on the home page."),
        ),
        ("id",),
        (("speaker", "speakers", "slug"), ("report", "reports", "slug")),
    ),
)
