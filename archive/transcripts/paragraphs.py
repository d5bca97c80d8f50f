"""The body of a text-format transcript: its header, then paragraphs with their times."""

from .header import Header, read_header
from .model import TranscriptError
from .timecodes import Timed, read_timecodes


def text_paragraphs(
    lines: list[tuple[int, str]],
) -> tuple[Header, list[Timed], list[tuple[float | None, float | None]], list[str]]:
    """The header, the paragraphs with their timecodes taken out, their times, and warnings."""
    header, rest = read_header(lines)
    warnings = list(header.warnings)
    paragraphs, times = read_timecodes(rest, warnings)
    if not paragraphs:
        raise TranscriptError("the transcript has no words after its title", rest[0][0])
    return header, paragraphs, times, warnings
