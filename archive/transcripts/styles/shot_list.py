"""The `shot-list` style: agency video scripts (Xinhua, CCTV+, Reuters, AP).

A head of production notes (`STORY:`, `DATELINE:`, `LENGTH:`, `LOCATION:`,
`CATEGORY:`), a `SHOTLIST:` of numbered shots, then a `STORYLINE:` where narration
alternates with `SOUNDBITE 1 (Russian): NAME, Title` cues whose words follow on the
next line or lines (in quotation marks when they run over several), and
`STANDUP (English): NAME, Xinhua correspondent`. Notes and shots are directions.
"""

import json
import re

from ..cues import CLOSING_QUOTES, OPENING_QUOTES, read_direction
from ..header import parse_duration
from ..model import Parse, ParsedSegment, TranscriptError
from ..names import Names
from ..paragraphs import text_paragraphs
from ..reader import is_journalist_title
from ..timecodes import Timed
from ..titles import caption_case, name_case

NAME = "shot-list"

_CUE = re.compile(
    r"(?:\d{1,3}\.\s*)?(?P<kind>SOUNDBITE|SOT|STANDUP|STAND-UP)(?:\s+\d{1,3})?\s*"
    r"(?:\((?P<language>[^()]{1,60})\))?\s*:?\s*(?P<label>[^\"“]*?)\s*"
    r"(?:,?\s*saying\s*)?:?\s*(?P<words>[\"“].*)?$",
    re.IGNORECASE,
)
_NOTE = re.compile(r"(?P<key>[A-Z][A-Z ]{1,30}):\s*(?P<value>.*)")
_SHOT = re.compile(r"\d{1,3}\.\s+\S")
_SECTIONS = frozenset({"SHOTLIST", "STORYLINE"})
# A section heading, on its own line or glued to the text around it.
_SECTION_ANYWHERE = re.compile(r"(?:SHOTLIST|STORYLINE):")
# Production notes in the head of an agency script.
_NOTE_KEYS = frozenset(
    {"STORY", "SHOOTING TIME", "DATELINE", "LENGTH", "LOCATION", "CATEGORY", "SOURCE"}
    | {"RESTRICTIONS", "DURATION", "LANGUAGE", "SLUG", "HEADLINE", "ACCESS"}
)
_CORRESPONDENT_AT = re.compile(
    r"(?P<outlet>[A-Z][\w+]*(?: News Agency)?) correspondents? reporting from (?P<place>[^.]+)"
)


def detect(lines: list[tuple[int, str]]) -> bool:
    return any(_SECTION_ANYWHERE.search(text) or _is_cue_line(text) for _, text in lines[1:])


def _is_cue_line(text: str) -> bool:
    """`SOUNDBITE 1 (Russian): NAME, Title`, or `SOUNDBITE: NAME, Title` as exported."""
    match = _CUE.match(text)
    return bool(
        match
        and match.group("label")
        and (match.group("language") or text.upper().startswith(("SOUNDBITE:", "STANDUP:")))
    )


def read(lines: list[tuple[int, str]], file_name: str | None = None) -> Parse:
    header, paragraphs, times, warnings = text_paragraphs(lines)
    paragraphs, times = _unglue(paragraphs, times)
    corpus = "\n".join([header.title, *(paragraph.text for paragraph in paragraphs)])
    names = Names(corpus)
    segments: list[ParsedSegment] = []
    correspondent = outlet = dateline = None
    duration = header.duration_seconds
    in_shotlist = False
    index = 0
    while index < len(paragraphs):
        paragraph, (start, end) = paragraphs[index], times[index]
        text, line = paragraph.text, paragraph.line
        index += 1

        def add(kind, speaker, title, words, basis="", doubt=None, line=line):
            nonlocal start, end
            if doubt:
                warnings.append(f"line {line}: {doubt}; the segment needs review")
            segments.append(
                ParsedSegment(
                    kind,
                    speaker,
                    title,
                    words,
                    line,
                    start,
                    end,
                    speaker_basis=basis if speaker else "",
                    needs_review=doubt is not None,
                )
            )
            start = end = None

        section = text.rstrip(":").strip().upper()
        if section in _SECTIONS:
            in_shotlist = section == "SHOTLIST"
            add("direction", None, None, text)
            continue
        cue = _CUE.match(text)
        # `2. SOUNDBITE 1 (English): NAME` is a shot in the list, never the bite itself.
        if cue and cue.group("label") and not in_shotlist and not _SHOT.match(text):
            speaker, title, doubt = _speaker(cue.group("label"), names)
            words = cue.group("words") or ""
            taken = []
            if not words and index < len(paragraphs):
                words = paragraphs[index].text
                index += 1
            taken.append(words)
            if words[:1] in OPENING_QUOTES:
                while not _closes(taken[-1]) and index < len(paragraphs):
                    taken.append(paragraphs[index].text)
                    index += 1
            spoken = "\n".join(taken)
            spoken = " ".join(_unquote(spoken).split())
            standup = cue.group("kind").upper().startswith("STAND")
            if standup and speaker and correspondent is None:
                correspondent = speaker
                if title and (found := re.match(r"([A-Z][\w+]*) correspondent", title)):
                    outlet = outlet or found.group(1)
            kind = "standup" if standup or (speaker and speaker == correspondent) else "soundbite"
            if not spoken:
                warnings.append(f"line {line}: a {kind} with no words was left out")
                continue
            add(kind, speaker, title, spoken, "cue", doubt)
            continue
        note = _NOTE.fullmatch(text)
        if note and note.group("key").strip().upper() not in _NOTE_KEYS:
            note = None
        if in_shotlist or note or _SHOT.match(text) or read_direction(text) is not None:
            if note:
                key, value = note.group("key").strip().upper(), note.group("value").strip()
                if key == "LENGTH" and duration is None:
                    duration = _duration(value)
                elif key == "LOCATION" and dateline is None and value:
                    dateline = _place(value)
            add("direction", None, None, text)
            continue
        if found := _CORRESPONDENT_AT.search(text):
            outlet = outlet or found.group("outlet").removesuffix(" News Agency")
            dateline = dateline or _place(found.group("place"))
            add("signoff", None, None, text)
            continue
        if not any(segment.kind != "direction" for segment in segments):
            add("intro", None, None, text)
        else:
            add("narration", correspondent, None, text, "context")
    if not segments:
        raise TranscriptError("the transcript has no words after its title", lines[0][0])
    return Parse(
        title=header.title,
        topics=header.topics,
        duration_seconds=duration,
        correspondent=correspondent,
        dateline=dateline,
        segments=segments,
        warnings=warnings,
        style=NAME,
        **header.parse_fields(outlet),
    )


# Copied from a web page, a shot list loses its line breaks: `...here."SOUNDBITE 2 ...`,
# `STORYLINE:An African ...`, `CATEGORY: CULTURESHOTLIST:`.
_GLUED = re.compile(
    r"(?<=[.!?\"”)])(?=(?:SOUNDBITE|STANDUP|Xinhua News Agency correspondents)\b)"
    r"|(?<=\S)(?=(?:SHOTLIST|STORYLINE):)|(?<=STORYLINE:)(?=\S)|(?<=SHOTLIST:)(?=\S)"
)


def _unglue(paragraphs: list[Timed], times):
    lines, line_times = [], []
    for paragraph, timing in zip(paragraphs, times, strict=True):
        for index, piece in enumerate(_GLUED.split(paragraph.text)):
            if piece.strip():
                lines.append(Timed(paragraph.line, piece.strip()))
                line_times.append(timing if index == 0 else (None, None))
    return lines, line_times


def _speaker(label: str, names: Names) -> tuple[str | None, str | None, str | None]:
    """`NAME, Title` -> (name in natural case, title as broadcast, doubt)."""
    label = " ".join(label.strip(" :,").split())
    name, comma, title = label.partition(",")
    name, title = name.strip(), title.strip() or None
    if not name:
        return None, title, None
    words = name.split()
    looks_anonymous = name.upper() in ("VOX POP", "UNIDENTIFIED", "RESIDENT", "VILLAGER")
    if looks_anonymous or is_journalist_title(name) and not comma:
        return None, label, None
    if not comma and len(words) > 4:
        return name_case(name), None, f"cannot tell the name from the title in {label!r}"
    natural = names.natural_case(name) if name.isupper() else name
    doubt = None
    if len(words) == 1:
        doubt = f"{natural!r} is a single name; check who it is"
    return natural, title, doubt


def _closes(text: str) -> bool:
    return bool(text) and text.rstrip()[-1] in CLOSING_QUOTES


def _unquote(text: str) -> str:
    text = text.strip()
    if text[:1] in OPENING_QUOTES:
        text = text[1:]
    if text[-1:] in CLOSING_QUOTES:
        text = text[:-1]
    return text.strip()


def _duration(value: str) -> int | None:
    value = value.strip()
    if value.count(":") == 2 and value.startswith("00:"):
        value = value[3:]
    return parse_duration(value)


def _place(value: str) -> str:
    first = value.split("/")[0].strip()
    city, _, rest = first.partition(",")
    city = caption_case(city.strip()) if city.isupper() else city.strip()
    return city if not rest else f"{city}, {rest.strip()}"


def write(parse: Parse) -> str:
    """The parse as a shot list again: notes and shots as they were, bites under their cues."""
    lines = [parse.title, json.dumps(parse.topics, ensure_ascii=False)]
    for segment in parse.segments:
        if segment.kind in ("soundbite", "standup"):
            label = ", ".join(part for part in (segment.speaker, segment.speaker_title) if part)
            lines += [f"{'STANDUP' if segment.kind == 'standup' else 'SOUNDBITE'}: {label}",
                      f'"{segment.text}"']  # fmt: skip
        else:
            lines.append(segment.text)
    return "\n".join(lines) + "\n"
