"""The transcript text format (version 1): parsing, rendering and caption helpers.

Pure Python with no Django import, so the importer, the exporter and tests share it.
"""

from .header import duration_to_text, parse_duration
from .model import SEGMENT_KINDS, Parse, ParsedSegment, TranscriptError
from .parser import MAX_LINE_BYTES, parse, parse_bytes
from .render import render
from .titles import split_title

__all__ = [
    "MAX_LINE_BYTES",
    "SEGMENT_KINDS",
    "Parse",
    "ParsedSegment",
    "TranscriptError",
    "duration_to_text",
    "parse",
    "parse_bytes",
    "parse_duration",
    "render",
    "split_title",
]
