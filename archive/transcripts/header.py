"""The head of the text format: title, topics, duration, then the header lines."""

import datetime
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import langcodes

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
    provenance: dict[str, str] = field(default_factory=dict)  # Parse field → value

    def parse_fields(self, outlet: str | None) -> dict:
        """The Parse's provenance fields; an `Outlet:` line outranks the outlet the text credits."""
        fields = dict(self.provenance)
        fields["outlet"] = fields.get("outlet") or outlet
        return fields


# The fixed vocabulary of header lines, in the order export_transcript writes them,
# with the Parse field each one fills.
HEADER_KEYS = {
    "Aired": "aired_at",
    "Outlet": "outlet",
    "Programme": "programme",
    "Language": "language",
    "Source": "source_url",
    "Media": "media_url",
}
_HEADER_LINE = re.compile(r"([A-Za-z]+)\s*:\s*(.*)")
# A one-word key in the vocabulary's own shape: capital, then lower case.
_KEY_SHAPED = re.compile(r"[A-Z][a-z]+")
_AIRED = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:\d{2})?)?")


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
    rest = _read_header_lines(rest, header)
    if not rest:
        raise TranscriptError(f"the title {title!r} is followed by no paragraph", title_line)
    return header, rest


def _read_header_lines(lines: list[tuple[int, str]], header: Header) -> list[tuple[int, str]]:
    """Take the `Key: value` lines that open `lines`; return the paragraphs after them.

    Only the vocabulary's keys, spelled so, open the header: `MARTIN: Makes sense.`
    or `Martin: Right.` as the first paragraph is a cue. Once a header line has
    been read, a line shaped like one (`Airdate: ...`, `AIRED: ...`) is refused,
    as is a known key in another case anywhere in this place.
    """
    index = 0
    while index < len(lines):
        number, text = lines[index]
        match = _HEADER_LINE.fullmatch(text)
        if match is None:
            break
        key, value = match.group(1), match.group(2).strip()
        if key not in HEADER_KEYS:
            near = next(
                (known for known in HEADER_KEYS if known.casefold() == key.casefold()), None
            )
            if near is not None:
                raise TranscriptError(f"header key {key!r} must be written {near!r}", number)
            if header.provenance and _KEY_SHAPED.fullmatch(key):
                known = ", ".join(f"{name}:" for name in HEADER_KEYS)
                raise TranscriptError(f"unknown header line {key!r} (known: {known})", number)
            break
        name = HEADER_KEYS[key]
        if name in header.provenance:
            raise TranscriptError(f"the header line {key}: is given twice", number)
        header.provenance[name] = _read_header_value(key, value, number)
        index += 1
    return lines[index:]


def _read_header_value(key: str, value: str, number: int) -> str:
    if not value:
        raise TranscriptError(f"the header line {key}: has no value", number)
    if key == "Aired":
        return read_aired(value, number)
    if key == "Language":
        if not langcodes.tag_is_valid(value):
            raise TranscriptError(
                f"language {_shorten(value)!r} is not a BCP 47 tag (such as en, en-GB, zh-Hans)",
                number,
            )
        return langcodes.standardize_tag(value)
    if key in ("Source", "Media"):
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.netloc
            or any(c.isspace() for c in value)
        ):
            raise TranscriptError(f"{key}: {_shorten(value)!r} is not an http or https URL", number)
        return value
    return " ".join(value.split())


def read_aired(value: str, number: int | None = None) -> str:
    """`2018-06-07`, `2018-06-07 19:30` or `2018-06-07T19:30+08:00` → its ISO 8601 form.

    A day stays a day and a time without a zone stays without one: nothing is invented.
    """
    match = _AIRED.fullmatch(value)
    problem = None
    if match is None:
        problem = "use 2018-06-07, 2018-06-07 19:30 or 2018-06-07T19:30+08:00"
    else:
        day, time, zone = match.groups()
        try:
            moment = datetime.datetime.fromisoformat(
                day + (f"T{time}" if time else "") + (zone or "").replace("Z", "+00:00")
            )
        except ValueError as error:
            problem = str(error)
        else:
            if zone and abs(moment.utcoffset()) > datetime.timedelta(hours=18):
                problem = "the UTC offset is beyond ±18:00"
    if problem:
        raise TranscriptError(f"Aired: {_shorten(value)!r} is not a date ({problem})", number)
    if not time:
        return moment.date().isoformat()
    return moment.isoformat(timespec="seconds" if moment.second else "minutes")


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
