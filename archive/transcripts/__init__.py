"""Transcripts: reading each broadcaster's house style (styles/), and the text format.

The shared parts live here: the header (header.py), people's names (names.py),
job titles (titles.py), cues (cues.py), credits (credits.py), timecodes
(timecodes.py) and the cue reader the text styles build on (reader.py); parser.py
decodes a file and hands it to the style that detects it; render.py writes a parse
back. Pure Python with no Django import, so the importer, the exporter and tests
share it.
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
