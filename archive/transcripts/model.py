"""The parse of one transcript: plain data, free of Django."""

from dataclasses import dataclass, field

SEGMENT_KINDS = ("intro", "narration", "soundbite", "standup", "signoff", "direction")


class TranscriptError(ValueError):
    """A text that cannot be read as a transcript; the only exception the parser raises."""

    def __init__(self, reason: str, line: int | None = None):
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


@dataclass(frozen=True)
class ParsedSegment:
    kind: str
    speaker: str | None
    speaker_title: str | None
    text: str
    line: int = field(default=0, compare=False)
    # Seconds from the start of the recording, rounded to the millisecond; None when unknown.
    start_seconds: float | None = None
    end_seconds: float | None = None

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "speaker": self.speaker,
            "speaker_title": self.speaker_title,
            "text": self.text,
            "start_seconds": self.start_seconds,
            "end_seconds": self.end_seconds,
        }


@dataclass
class Parse:
    """What a transcript says.

    Two parses are equal when they describe the same report: warnings describe the
    source text (and carry its line numbers), so they take no part in the comparison.
    """

    title: str
    topics: list[str]
    duration_seconds: int | None
    outlet: str | None
    correspondent: str | None
    dateline: str | None
    segments: list[ParsedSegment]
    warnings: list[str] = field(default_factory=list, compare=False)
    # Header lines (DESIGN.md, "Header lines"); None when the file does not give them.
    aired_at: str | None = None  # ISO 8601: a day, a local time, or a time with its offset
    programme: str | None = None
    language: str | None = None  # a BCP 47 tag
    source_url: str | None = None
    media_url: str | None = None

    def as_dict(self, file: str | None = None) -> dict:
        """The "Parse JSON" object of DESIGN.md, keys in its order."""
        return {
            "file": file,
            "title": self.title,
            "topics": list(self.topics),
            "duration_seconds": self.duration_seconds,
            "outlet": self.outlet,
            "correspondent": self.correspondent,
            "dateline": self.dateline,
            "aired_at": self.aired_at,
            "programme": self.programme,
            "language": self.language,
            "source_url": self.source_url,
            "media_url": self.media_url,
            "segments": [segment.as_dict() for segment in self.segments],
            "warnings": list(self.warnings),
        }
