"""Lines 1-3 of the text format: title, topics and duration."""

import json
import re
from dataclasses import dataclass, field

from .model import TranscriptError

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_DURATION_CHARACTERS = frozenset("0123456789:")
_MINUTES_SECONDS = re.compile(r"([0-9]{1,3}):([0-5][0-9])")
_HOURS_MINUTES_SECONDS = re.compile(r"([0-9]{1,6}):([0-5][0-9]):([0-5][0-9])")


@dataclass
class Header:
    title: str
    topics: list[str] = field(default_factory=list)
    duration_seconds: int | None = None
    warnings: list[str] = field(default_factory=list)


def numbered_lines(text: str) -> list[tuple[int, str]]:
    """The non-blank lines of `text`, stripped, with their 1-based line numbers."""
    text = text.lstrip("\ufeff")
    lines = _LINE_BREAK.split(text)
    return [(number, line.strip()) for number, line in enumerate(lines, 1) if line.strip()]


def parse_duration(value: str) -> int | None:
    """Seconds in `mm:ss` or `h:mm:ss`, or None when `value` is no such duration."""
    if match := _MINUTES_SECONDS.fullmatch(value):
        minutes, seconds = match.groups()
        return int(minutes) * 60 + int(seconds)
    if match := _HOURS_MINUTES_SECONDS.fullmatch(value):
        hours, minutes, seconds = match.groups()
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds)
    return None


def duration_to_text(seconds: int) -> str:
    """`mm:ss` below an hour, `h:mm:ss` from an hour on: what parse_duration reads back."""
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {seconds}")
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes:02d}:{seconds:02d}"


def read_header(lines: list[tuple[int, str]]) -> tuple[Header, list[tuple[int, str]]]:
    """Split numbered lines into the header and the paragraphs that follow it."""
    if not lines:
        raise TranscriptError("the transcript is empty: it has no title")
    title_line, title = lines[0]
    header = Header(title=title)
    rest = lines[1:]
    if rest and rest[0][1].startswith("["):
        number, value = rest[0]
        header.topics = _read_topics(value, number, header.warnings)
        rest = rest[1:]
    if rest and _looks_like_duration(rest[0][1]):
        number, value = rest[0]
        seconds = parse_duration(value)
        if seconds is None:
            raise TranscriptError(
                f"duration {value!r} is not a valid duration (mm:ss or h:mm:ss)", number
            )
        header.duration_seconds = seconds
        rest = rest[1:]
    if not rest:
        raise TranscriptError(f"the title {title!r} is followed by no paragraph", title_line)
    return header, rest


def _looks_like_duration(value: str) -> bool:
    # Three colons is a timecode with frames (00:02:41:07), never a duration.
    return ":" in value and value.count(":") <= 2 and set(value) <= _DURATION_CHARACTERS


def _read_topics(value: str, number: int, warnings: list[str]) -> list[str]:
    try:
        topics = json.loads(value)
    except (ValueError, RecursionError):
        topics = None
    if not isinstance(topics, list) or not all(isinstance(topic, str) for topic in topics):
        raise TranscriptError(
            f'topics {_shorten(value)!r} are not a JSON list of strings, such as ["Energy"]',
            number,
        )
    kept: list[str] = []
    for topic in topics:
        topic = " ".join(topic.split())
        if not topic:
            warnings.append(f"line {number}: an empty topic was left out")
        elif topic.casefold() in (seen.casefold() for seen in kept):
            warnings.append(f"line {number}: topic {topic!r} is repeated; kept once")
        else:
            kept.append(topic)
    return kept


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
