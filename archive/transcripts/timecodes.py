"""Timecodes: times written in a transcript are data about a paragraph, never segments.

A timecode stands alone on its line (`[00:01:42]`, `[14:00:02]`, `00:02:41:07`,
`11:15 a.m. EDT`) and times the next paragraph, or opens a paragraph as a prefix
(`[0:01:42] KIRIL KAEM, ...`, `[0:00:01.5 --> 0:00:04]`, the form the exporter writes).

Times are seconds from the start of the recording. Clock times (a first timecode
with a.m./p.m., or written with two-digit hours that are not 00, as CNN's `[14:00:02]`)
count from the first timecode instead. Frames (`:07` in `00:02:41:07`) are dropped:
the frame rate is not written, so they cannot be turned into seconds.
"""

import re
from dataclasses import dataclass

_TIME = r"\d{1,2}:[0-5]\d:[0-5]\d(?:[.,]\d{1,3})?"
_FRAMED = r"\d{2}:[0-5]\d:[0-5]\d:\d{2}"
_BRACKETED = re.compile(
    rf"\[(?P<start>{_TIME}|{_FRAMED})(?:\s*-->\s*(?P<end>{_TIME}|{_FRAMED}))?\]"
)
_BARE_FRAMED = re.compile(_FRAMED)
_MERIDIEM = re.compile(
    r"\[?(?P<hour>1[0-2]|0?[1-9]):(?P<minute>[0-5]\d)\s*(?P<half>a\.?m\.?|p\.?m\.?)"
    r"(?:\s+[A-Z]{2,4})?\]?",
    re.IGNORECASE,
)
_DAY = 24 * 3600


@dataclass(frozen=True)
class Stamp:
    seconds: float
    clock: bool  # a time of day, not a time in the recording


@dataclass(frozen=True)
class Timed:
    """A paragraph with the timecode that times it, if any."""

    line: int
    text: str
    start: Stamp | None = None
    end: Stamp | None = None


def _stamp(text: str) -> Stamp:
    parts = text.replace(",", ".").split(":")
    hours, minutes, seconds = int(parts[0]), int(parts[1]), float(parts[2])
    clock = len(parts[0]) == 2 and hours != 0
    return Stamp(hours * 3600 + minutes * 60 + seconds, clock)


def _meridiem(match: re.Match) -> Stamp:
    hour = int(match.group("hour")) % 12
    if match.group("half").lower().startswith("p"):
        hour += 12
    return Stamp(hour * 3600 + int(match.group("minute")) * 60, clock=True)


def _alone(text: str) -> tuple[Stamp, Stamp | None] | None:
    """The timecode that is the whole line, as (start, end)."""
    if match := _BRACKETED.fullmatch(text):
        end = match.group("end")
        return _stamp(match.group("start")), _stamp(end) if end else None
    if _BARE_FRAMED.fullmatch(text):
        return _stamp(text), None
    if match := _MERIDIEM.fullmatch(text):
        return _meridiem(match), None
    return None


def _prefix(text: str) -> tuple[Stamp, Stamp | None, str] | None:
    """A timecode opening a paragraph, as (start, end, the rest)."""
    match = _BRACKETED.match(text) or _BARE_FRAMED.match(text)
    if match is None or not text[match.end() : match.end() + 1].isspace():
        return None
    rest = text[match.end() :].strip()
    if match.re is _BARE_FRAMED:
        return _stamp(match.group()), None, rest
    end = match.group("end")
    return _stamp(match.group("start")), _stamp(end) if end else None, rest


def read_timecodes(
    lines: list[tuple[int, str]], warnings: list[str]
) -> tuple[list[Timed], list[tuple[float | None, float | None]]]:
    """Paragraphs without their timecodes, and each paragraph's (start, end) in seconds."""
    timed: list[Timed] = []
    pending: tuple[int, Stamp, Stamp | None] | None = None
    for line, text in lines:
        if (alone := _alone(text)) is not None:
            if pending is not None:
                warnings.append(f"line {pending[0]}: a timecode times no paragraph; left out")
            pending = (line, *alone)
            continue
        start = end = None
        if (prefix := _prefix(text)) is not None:
            start, end, text = prefix
        elif pending is not None:
            start, end = pending[1], pending[2]
        pending = None
        if text:
            timed.append(Timed(line, text, start, end))
    if pending is not None:
        warnings.append(f"line {pending[0]}: a timecode times no paragraph; left out")
    return timed, _seconds(timed, warnings)


def _seconds(timed: list[Timed], warnings: list[str]) -> list[tuple[float | None, float | None]]:
    first = next((paragraph.start for paragraph in timed if paragraph.start), None)
    origin = first.seconds if first is not None and first.clock else 0.0

    def since_origin(stamp: Stamp | None) -> float | None:
        if stamp is None:
            return None
        seconds = stamp.seconds - origin
        return round(seconds + _DAY if seconds < 0 else seconds, 3)

    times = []
    for paragraph in timed:
        start, end = since_origin(paragraph.start), since_origin(paragraph.end)
        if start is not None and end is not None and end < start:
            warnings.append(
                f"line {paragraph.line}: the timecode ends before it starts; end left out"
            )
            end = None
        times.append((start, end))
    return times


def timecode_text(start: float | None, end: float | None) -> str:
    """The canonical prefix the exporter writes: `[H:MM:SS]`, `[H:MM:SS.mmm --> H:MM:SS.mmm]`."""
    if start is None:
        return ""
    if end is None:
        return f"[{_clock(start)}]"
    return f"[{_clock(start)} --> {_clock(end)}]"


def clock_parts(seconds: float) -> tuple[int, int, int, int]:
    """(hours, minutes, seconds, milliseconds) of a time in seconds, to the millisecond."""
    whole, millis = divmod(round(seconds * 1000), 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return hours, minutes, secs, millis


def _clock(seconds: float) -> str:
    hours, minutes, secs, millis = clock_parts(seconds)
    text = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{text}.{millis:03d}" if millis else text
