"""The `script` style: broadcast scripts as VOA and similar services write them.

Production marks in double parentheses, alone on their lines: `((INTRO))` and
`((NARRATOR))` open the studio's and the correspondent's words, `((Name, Title))` or
`((Name, Organization - MALE IN RUSSIAN))` opens a sound bite (what follows the dash
is a delivery note), `((TRT: 1:58))` gives the running time, and anything else
(`((NATS))`, `((Banner: ...))`, `((Map: ...))`, `[[ ... ]]`) is a direction.
`((Reporter/Camera: Name))` names the correspondent and `((Map: Place))` the dateline.
"""

import json
import re

from ..header import duration_to_text, parse_duration
from ..model import Parse, ParsedSegment, TranscriptError
from ..names import Names
from ..paragraphs import text_paragraphs
from ..timecodes import Timed
from ..titles import name_case

NAME = "script"

_MARK = re.compile(r"\(\((?P<inner>.*?)\)\)(?P<rest>.*)", re.DOTALL)
_INSTRUCTION = re.compile(r"\[\[.*\]\]")
_STUDIO = frozenset({"INTRO", "ANCHOR", "HOST", "ANCHOR INTRO", "LEAD"})
_NARRATION = frozenset({"NARRATOR", "NARRATION", "REPORTER", "VO", "TRACK"})
# Marks that are production notes even with a comma or a colon in them.
_NOTES = frozenset(
    [
        "BANNER",
        "BLOCK",
        "CAMERA",
        "EDITOR",
        "GFX",
        "GRAPHIC",
        "LOWER",
        "THIRD",
        "MAP",
        "NATS",
        "NAT",
        "MUSIC",
        "PKG",
        "POPUP",
        "POP-UP",
        "PRODUCER",
        "REPORTER",
        "SOT",
        "SOURCE",
        "TOPIC",
        "TRT",
        "VIDEO",
        "ANIMATION",
        "OPEN",
        "CLOSE",
        "BREAK",
        "MAIN",
        "SUB",
    ]
)
# Marks after which the words are a banner on screen or natural sound, not speech.
_SOUND_ON_TAPE = frozenset({"SOT"})
_ON_TAPE = "((SOT))"
_MOST_SLUG_WORDS = 6
_FEWEST_SLUG_LETTERS = 4  # `BLOCK A` is a heading; `A` or `OK` may be words said
_SHOWN_OR_HEARD = frozenset({"BANNER", "NATS", "NAT", "MUSIC", "POPUP BANNER", "POP-UP BANNER"})
_DELIVERY = re.compile(r"\s+[-–]\s+(?P<note>[A-Z ]+(?:IN [A-Z]+)?)$")


def detect(lines: list[tuple[int, str]]) -> bool:
    return sum(1 for _, text in lines[1:] if text.startswith("((")) >= 2


def read(lines: list[tuple[int, str]], file_name: str | None = None) -> Parse:
    header, paragraphs, times, warnings = text_paragraphs(lines)
    paragraphs, times = _join_open_marks(paragraphs, times)
    corpus = "\n".join([header.title, *(paragraph.text for paragraph in paragraphs)])
    names = Names(corpus)
    correspondent = dateline = None
    duration = header.duration_seconds
    for paragraph in paragraphs:
        if match := _MARK.fullmatch(paragraph.text):
            key, value = _note_key(match.group("inner")), match.group("inner").partition(":")[2]
            if any(mark in value for mark in "()[]"):
                continue  # a mark left open runs into the next: no name or place to take
            if key == "REPORTER" and value.strip() and correspondent is None:
                correspondent = value.strip()
            elif key == "MAP" and value.strip() and dateline is None:
                dateline = " ".join(value.split())
            elif key == "TRT" and duration is None:
                duration = parse_duration(value.strip())

    segments: list[ParsedSegment] = []
    voice: tuple[str, str | None, str | None, str] = ("intro", None, None, "")
    for paragraph, (start, end) in zip(paragraphs, times, strict=True):
        text, line = paragraph.text, paragraph.line
        mark = _MARK.fullmatch(text)
        if mark is None and _is_slug(text) and not _INSTRUCTION.fullmatch(text):
            # `BLOCK A`, `OPEN ((VO/NAT))`: the script's own headings and marks, not speech.
            segments.append(ParsedSegment("direction", None, None, text, line, start, end))
            continue
        if mark is None and _INSTRUCTION.fullmatch(text):
            segments.append(
                ParsedSegment("direction", None, None, text[2:-2].strip(), line, start, end)
            )
            continue
        if mark is not None:
            inner = " ".join(mark.group("inner").split())
            spoken = mark.group("rest").strip()
            kind_voice = _voice_of(inner, correspondent, names)
            if kind_voice is None:
                # `((PKG)) TITLE OF THE PACKAGE`: the words go with the note, never dropped.
                note = inner if not spoken else text
                segments.append(ParsedSegment("direction", None, None, note, line, start, end))
                if _note_key(inner) in _SOUND_ON_TAPE:
                    voice = ("soundbite", None, None, "")  # someone on tape, unnamed
                    continue
                if inner.split(":")[0].strip().upper() in _SHOWN_OR_HEARD:
                    # What follows is on screen or natural sound, not the script's speakers.
                    voice = ("direction", None, None, "")
                continue
            voice = kind_voice
            if not spoken:
                continue
            text = spoken
        kind, speaker, title, basis = voice
        if kind == "intro" and any(segment.kind != "direction" for segment in segments):
            kind = "intro" if segments[-1].kind == "intro" else "narration"
            if kind == "narration":
                speaker, basis = correspondent, "context"
        segments.append(
            ParsedSegment(
                kind,
                speaker,
                title,
                text,
                line,
                start,
                end,
                speaker_basis=basis if speaker else "",
            )
        )
    if not any(segment.kind != "direction" for segment in segments):
        raise TranscriptError("the script has no spoken words", paragraphs[0].line)
    return Parse(
        title=header.title,
        topics=header.topics,
        duration_seconds=duration,
        correspondent=correspondent,
        dateline=dateline,
        segments=segments,
        warnings=warnings,
        style=NAME,
        **header.parse_fields(None),
    )


def _join_open_marks(paragraphs: list[Timed], times):
    """A mark may run over two lines: `((Amelie Diamant` / `Holocaust Survivor))`."""
    joined, joined_times = [], []
    index = 0
    while index < len(paragraphs):
        paragraph, timing = paragraphs[index], times[index]
        text = paragraph.text
        while text.startswith("((") and "))" not in text and index + 1 < len(paragraphs):
            index += 1
            # `((Map:` / `Place))` is one note; `((Name` / `Title))` a name and a title.
            text = f"{text}{' ' if text.endswith(':') else ', '}{paragraphs[index].text}"
        joined.append(Timed(paragraph.line, text))
        joined_times.append(timing)
        index += 1
    return joined, joined_times


def _voice_of(inner: str, correspondent: str | None, names: Names):
    """(kind, speaker, title, basis) that a mark opens, or None for a production note."""
    upper = inner.upper()
    if upper in _STUDIO:
        return ("intro", None, None, "")
    if upper in _NARRATION:
        return ("narration", correspondent, None, "context")
    key = _note_key(inner)
    if ":" in inner or key in _NOTES or "," not in inner:
        return None
    if delivery := _DELIVERY.search(inner):
        inner = inner[: delivery.start()]
    name, _, title = inner.partition(",")
    name, title = name.strip(), title.strip() or None
    if name.isupper():
        name = names.natural_case(name) if names.mention(name) else name_case(name)
    if correspondent and name == correspondent:
        return ("standup", name, title, "cue")
    return ("soundbite", name, title, "cue")


def write(parse: Parse) -> str:
    """The parse as a script again: marks before each change of voice."""
    lines = [parse.title, json.dumps(parse.topics, ensure_ascii=False)]
    if parse.duration_seconds is not None:
        lines.append(duration_to_text(parse.duration_seconds))
    voice = None
    for segment in parse.segments:
        if segment.kind == "direction":
            written = _is_slug(segment.text) and not _INSTRUCTION.fullmatch(segment.text)
            if written or segment.text.startswith("(("):
                lines.append(segment.text)  # as it stood in the script
            else:
                keyed = _note_key(segment.text) in _NOTES
                lines.append(f"(({segment.text}))" if keyed else f"[[ {segment.text} ]]")
            # A heading or an `[[ instruction ]]` leaves the voice as it was; after
            # `((SOT))` the reader hears someone on tape, unnamed, until the next mark.
            if lines[-1].startswith("(("):
                on_tape = _note_key(lines[-1].strip("()")) in _SOUND_ON_TAPE
                voice = _ON_TAPE if on_tape else None
            continue
        if segment.kind == "intro":
            mark = "((INTRO))"
        elif segment.kind == "soundbite" and not (segment.speaker or segment.speaker_title):
            mark = _ON_TAPE
        elif segment.kind == "narration" and segment.speaker == parse.correspondent:
            mark = "((NARRATOR))"
        else:
            mark = f"(({', '.join(p for p in (segment.speaker, segment.speaker_title) if p)}))"
        if _is_slug(segment.text) or segment.text.startswith(("((", "[[")) and mark != _ON_TAPE:
            # Alone on its line it would read as a heading or a mark: keep it on the mark's.
            lines.append(f"{mark} {segment.text}")
        else:
            if mark != voice:
                lines.append(mark)
            lines.append(segment.text)
        voice = mark
    return "\n".join(lines) + "\n"


def _is_slug(text: str) -> bool:
    words = text.split()
    heading = (
        text.isupper()
        and len(words) <= _MOST_SLUG_WORDS
        and sum(char.isalpha() for char in text) >= _FEWEST_SLUG_LETTERS
        and text[-1] not in '.?!"”'
    )
    return "((" in text or heading


def _note_key(inner: str) -> str:
    """`Reporter/Camera: Name` -> REPORTER: the word a production note opens with."""
    return re.split(r"[:/ ]", inner.upper(), maxsplit=1)[0]
