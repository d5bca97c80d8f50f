"""Reading a transcript file into a Parse: decoding, then the house style that fits it."""

import re

from . import styles
from .header import numbered_lines
from .model import Parse, TranscriptError

MAX_LINE_BYTES = 1_000_000
_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_TEXT_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Tab, vertical tab and form feed are whitespace; every other control character means
# the file is not text.
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_UTF16_BYTE_ORDER_MARKS = (b"\xff\xfe", b"\xfe\xff")


def parse_bytes(data: bytes, name: str | None = None) -> Parse:
    """Decode a transcript file and parse it; refuse what is not a UTF-8 text transcript.

    `name` is the file's name: captions without a title take theirs from it.
    """
    data = data.removeprefix(b"\xef\xbb\xbf")
    if data.startswith(_UTF16_BYTE_ORDER_MARKS):
        raise TranscriptError("the file is encoded in UTF-16, not UTF-8", 1)
    if not data.strip():
        raise TranscriptError("the file is empty")
    for number, line in enumerate(_BYTE_LINE_BREAK.split(data), 1):
        if len(line) > MAX_LINE_BYTES:
            raise TranscriptError(
                f"the line is {len(line):,} bytes long, over the limit of 1 MB", number
            )
    if (nul := data.find(b"\x00")) != -1:
        raise TranscriptError("binary content (a NUL byte), not text", _byte_line(data, nul))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise TranscriptError(
            f"not valid UTF-8 (byte 0x{data[error.start]:02X}); save the file as UTF-8",
            _byte_line(data, error.start),
        ) from None
    if control := _CONTROL_CHARACTER.search(text):
        line = len(_TEXT_LINE_BREAK.findall(text, 0, control.start())) + 1
        raise TranscriptError(
            f"binary content (control character U+{ord(control.group()):04X}), not text", line
        )
    return parse(text, name)


def _byte_line(data: bytes, position: int) -> int:
    return len(_BYTE_LINE_BREAK.findall(data, 0, position)) + 1


def parse(text: str, name: str | None = None) -> Parse:
    """Parse decoded transcript text. Raises TranscriptError, and nothing else."""
    lines = numbered_lines(text)
    return styles.detect(lines).read(lines, name)
