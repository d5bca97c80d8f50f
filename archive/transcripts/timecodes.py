"""The canonical timecode of the text format: `[H:MM:SS.mmm]` or `[H:MM:SS.mmm --> H:MM:SS.mmm]`.

Seconds from the start of the recording, to the millisecond; `.mmm` only when
the time is not whole. `export_transcript` writes it as a prefix on a segment's
paragraph; the parser reads it there, or alone on the line before a paragraph.
"""

import re

_TIME = r"(\d{1,3}):([0-5]\d):([0-5]\d)(?:\.(\d{1,3}))?"
_TIMECODE = re.compile(rf"\[\s*{_TIME}(?:\s*-->\s*{_TIME})?\s*\]")


def seconds_to_timecode(seconds: float) -> str:
    """`102.5` → `0:01:42.500`; a whole second has no fraction (`0:01:42`)."""
    millis = round(seconds * 1000)
    whole, fraction = divmod(millis, 1000)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{text}.{fraction:03d}" if fraction else text


def timecode_prefix(start: float | None, end: float | None) -> str:
    """The prefix a segment's paragraph starts with, or "" when its start is unknown."""
    if start is None:
        return ""
    if end is None:
        return f"[{seconds_to_timecode(start)}] "
    return f"[{seconds_to_timecode(start)} --> {seconds_to_timecode(end)}] "


def _seconds(hours: str, minutes: str, secs: str, fraction: str | None) -> float:
    value = int(hours) * 3600 + int(minutes) * 60 + int(secs)
    if fraction:
        value += int(fraction.ljust(3, "0")) / 1000
    return round(float(value), 3)


def split_timecode(text: str) -> tuple[float | None, float | None, str]:
    """(start, end, the rest) for a paragraph that opens with a canonical timecode.

    A paragraph without one comes back unchanged with no times.
    """
    match = _TIMECODE.match(text)
    if match is None:
        return None, None, text
    start = _seconds(*match.groups()[:4])
    end = _seconds(*match.groups()[4:]) if match.group(5) is not None else None
    return start, end, text[match.end() :].strip()
