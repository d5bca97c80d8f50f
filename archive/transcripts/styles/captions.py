"""The `captions` style: WebVTT (`.vtt`) and SubRip (`.srt`) caption files.

Each cue's start and end become the time of the segment it belongs to. A speaker
is named by a WebVTT voice tag (`<v Dana Quinn>`) or a change marker at the start
of a cue (`>> NAME:`, `- NAME:`; a bare `>>` is a change to someone unnamed); the
cues of one speaker are joined into one segment. The title comes from a `NOTE`
line (`NOTE Title: ...`, or the first `NOTE` text), else from the file name.
"""

import re
from pathlib import PurePath

from ..cues import read_cue
from ..model import Parse, ParsedSegment, TranscriptError
from ..reader import is_journalist_title
from ..timecodes import clock_parts
from ..titles import name_case

NAME = "captions"

_TIME = r"(?:(?P<{0}h>\d{{1,3}}):)?(?P<{0}m>[0-5]?\d):(?P<{0}s>[0-5]\d)[.,](?P<{0}ms>\d{{1,3}})"
_TIMING = re.compile(_TIME.format("a") + r"\s*-->\s*" + _TIME.format("b") + r"(?:\s.*)?")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<name>[^>]+)>")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_CHANGE = re.compile(r"^(?:>>+|-)\s*(?:(?P<label>[A-Z][A-Z0-9 .,'’\-]{1,80}):\s*)?")
_NOTE_TITLE = re.compile(r"NOTE\s+(?:Title:\s*)?(?P<title>.+)", re.IGNORECASE)


def detect(lines: list[tuple[int, str]]) -> bool:
    if not lines:
        return False
    first = lines[0][1]
    if first == "WEBVTT" or first.startswith(("WEBVTT ", "WEBVTT\t")):
        return True
    # SubRip: a cue number, then its timing line.
    return len(lines) >= 2 and first.isdigit() and bool(_TIMING.fullmatch(lines[1][1]))


def read(lines: list[tuple[int, str]], file_name: str | None = None) -> Parse:
    title, cues = _read_cues(lines)
    if title is None:
        title = _title_from(file_name)
    if not cues:
        raise TranscriptError("the caption file has no cue with words", lines[0][0])
    turns: list[list] = []  # [speaker label or None, basis, start, end, [words], line]
    for line, start, end, text in cues:
        label, basis, text, changed = _speaker_of(text)
        if label is None and not changed and turns:
            label, basis = turns[-1][0], turns[-1][1]
        if not turns or changed or label != turns[-1][0]:
            turns.append([label, basis, start, end, [], line])
        turn = turns[-1]
        turn[3] = end
        if text:
            turn[4].append(text)
    segments = []
    correspondent = None
    for label, basis, start, end, words, line in turns:
        text = " ".join(" ".join(words).split())
        if not text:
            continue
        speaker, speaker_title = _split_label(label)
        field = ("CORRESPONDENT", "REPORTER")
        reporting = speaker and is_journalist_title(speaker_title)
        if reporting and correspondent is None and any(w in speaker_title.upper() for w in field):
            correspondent = speaker
        if not segments and speaker is None:
            kind = "intro"
        elif speaker is not None and is_journalist_title(speaker_title) or speaker is None:
            kind = "narration"
        else:
            kind = "soundbite"
        segments.append(
            ParsedSegment(
                kind,
                speaker,
                speaker_title,
                text,
                line,
                start,
                end,
                speaker_basis=basis if speaker else "",
            )
        )
    if not segments:
        raise TranscriptError("the caption file has no cue with words", lines[0][0])
    last_end = max((segment.end_seconds or 0) for segment in segments)
    return Parse(
        title=title,
        topics=[],
        duration_seconds=round(last_end) if last_end else None,
        outlet=None,
        correspondent=correspondent,
        dateline=None,
        segments=segments,
        warnings=[],
        style=NAME,
    )


def _read_cues(lines):
    """(title from a NOTE, [(line, start, end, text)]) from the numbered non-blank lines."""
    title = None
    cues = []
    index = 1 if lines[0][1].startswith("WEBVTT") else 0
    while index < len(lines):
        line, text = lines[index]
        if text.startswith("NOTE"):
            # A NOTE block runs to the next blank line; its first words may be the title.
            block = [text[4:].strip()]
            while index + 1 < len(lines) and lines[index + 1][0] == lines[index][0] + 1:
                index += 1
                block.append(lines[index][1])
            words = " ".join(" ".join(block).split())
            if title is None and words:
                match = _NOTE_TITLE.fullmatch(f"NOTE {words}")
                title = match.group("title").strip() if match else words
            index += 1
            continue
        timing = _TIMING.fullmatch(text)
        if timing is None and _starts_cue(lines, index):
            index += 1  # past the cue's number or identifier
            line, text = lines[index]
            timing = _TIMING.fullmatch(text)
        if timing is None:
            if text.startswith(("STYLE", "REGION")):
                index += 1
                continue
            raise TranscriptError(
                f"expected a cue timing (00:00:01.000 --> ...), not {text[:40]!r}", line
            )
        start, end = _seconds(timing, "a"), _seconds(timing, "b")
        if end < start:
            raise TranscriptError("the cue ends before it starts", line)
        words = []
        index += 1
        while index < len(lines) and not _starts_cue(lines, index):
            words.append(lines[index][1])
            index += 1
        cues.append((line, start, end, " ".join(words)))
    return title, cues


def _starts_cue(lines, index) -> bool:
    """A timing line, a NOTE, or a cue's identifier: after a blank line, right above a timing."""
    line, text = lines[index]
    if _TIMING.fullmatch(text) or text.startswith("NOTE"):
        return True
    return (
        index + 1 < len(lines)
        and lines[index + 1][0] == line + 1
        and bool(_TIMING.fullmatch(lines[index + 1][1]))
        and (index == 0 or lines[index - 1][0] < line - 1)
    )


def _seconds(match, prefix) -> float:
    hours = int(match.group(f"{prefix}h") or 0)
    minutes, seconds = int(match.group(f"{prefix}m")), int(match.group(f"{prefix}s"))
    millis = int(match.group(f"{prefix}ms").ljust(3, "0"))
    return round(hours * 3600 + minutes * 60 + seconds + millis / 1000, 3)


def _speaker_of(text: str):
    """(speaker label, basis, words, whether the speaker changes) of one cue's text."""
    if voice := _VOICE.search(text):
        # The same tag on the next cue is the same speaker going on: no change.
        return voice.group("name").strip(), "voice_tag", _TAG.sub("", text).strip(), False
    text = _TAG.sub("", text).strip()
    if (change := _CHANGE.match(text)) and change.group(0):
        label = change.group("label")
        return (label.strip() if label else None), "cue", text[change.end() :].strip(), True
    return None, "", text, False


def _split_label(label: str | None) -> tuple[str | None, str | None]:
    if not label:
        return None, None
    cue = read_cue(f"{label}: x")
    name, _, title = label.partition(",")
    name = name.strip()
    if cue is not None and name.isupper():
        name = name_case(name)
    return name or None, title.strip() or None


def _title_from(file_name: str | None) -> str:
    if not file_name:
        return "Untitled captions"
    stem = PurePath(file_name).stem.replace("_", " ").replace("-", " ")
    return " ".join(stem.split()).capitalize() or "Untitled captions"


def write(parse: Parse) -> str:
    """The parse as WebVTT again: one cue per segment, its speaker in a voice tag."""
    cues = ["WEBVTT", "", f"NOTE Title: {parse.title}"]
    for segment in parse.segments:
        if segment.start_seconds is None or segment.end_seconds is None:
            return ""  # not captions any more: the text format says it instead
        voice = ", ".join(part for part in (segment.speaker, segment.speaker_title) if part)
        words = f"<v {voice}>{segment.text}" if voice else f">> {segment.text}"
        cues += ["", f"{_vtt(segment.start_seconds)} --> {_vtt(segment.end_seconds)}", words]
    return "\n".join(cues) + "\n"


def _vtt(seconds: float) -> str:
    hours, minutes, secs, millis = clock_parts(seconds)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"
