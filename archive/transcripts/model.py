"""The parse of one transcript: plain data, free of Django."""

from dataclasses import dataclass, field

SEGMENT_KINDS = ("intro", "narration", "soundbite", "standup", "signoff", "direction")
# How a segment's speaker was found; the values of Segment.speaker_basis.
SPEAKER_BASES = ("cue", "surname", "initials", "voice_tag", "context", "guess", "editor")


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
    start_seconds: float | None = None
    end_seconds: float | None = None
    # How the speaker was found, and whether an editor must confirm it, describe the
    # reading of the source text (like warnings), not the report: they are not compared.
    speaker_basis: str = field(default="", compare=False)
    needs_review: bool = field(default=False, compare=False)

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "speaker": self.speaker,
            "speaker_title": self.speaker_title,
            "text": self.text,
            "start_seconds": self.start_seconds,
            "end_seconds": self.end_seconds,
            "needs_review": self.needs_review,
            "speaker_basis": self.speaker_basis or None,
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
    # The house style the source was written in (see archive.transcripts.styles); the
    # same report may come in any style, so it takes no part in the comparison.
    style: str = field(default="package", compare=False)

    @property
    def needs_review(self) -> bool:
        return any(segment.needs_review for segment in self.segments)

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
            "style": self.style,
            "aired_at": self.aired_at,
            "programme": self.programme,
            "language": self.language,
            "source_url": self.source_url,
            "media_url": self.media_url,
            "segments": [segment.as_dict() for segment in self.segments],
            "warnings": list(self.warnings),
        }
