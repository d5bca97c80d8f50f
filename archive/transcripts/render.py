"""The exporter: a Parse written back as text format version 2."""

import json

from .header import HEADER_KEYS, duration_to_text
from .model import Parse, ParsedSegment, TranscriptError
from .parser import parse as parse_text
from .reader import is_journalist_title
from .timecodes import timecode_text


def render(parse: Parse) -> str:
    """Text that parses back to `parse`, one paragraph per segment.

    Each segment is written in the plainest form that reads back as the same segment:
    - intro: the bare paragraph, or `NAME, TITLE: words` when an anchor speaks it;
    - narration: the bare paragraph when it is the correspondent's, otherwise
      `NAME, TITLE (voice-over): words`;
    - soundbite: `NAME, TITLE "words"` (or `NAME "words"`);
    - standup: `NAME PLACE "words"`, or `NAME (on camera): words` without a place;
    - signoff: its own paragraph, last; direction: `(WORDS)`.
    A timed segment's paragraph opens with its timecode, `[H:MM:SS.mmm --> H:MM:SS.mmm]`.
    The cue's name is the speaker's in capitals; the parser recovers its natural case
    from the mixed-case mentions that the segments' words keep.

    A segment that the plain form would misread (a bare paragraph that continues a
    `NAME:` speaker, words that look like a cue) gets the next form; every choice is
    checked by parsing the result.
    """
    # The header lines follow the duration line; `Outlet:` only where the text does
    # not give the outlet back by itself (or a programme is named).
    for with_outlet in (parse.programme is not None, True):
        text = _render_with_header(parse, with_outlet)
        if _reads_back(text, parse):
            break
    return text


def _header_lines(parse: Parse, with_outlet: bool) -> list[str]:
    lines = []
    for key, name in HEADER_KEYS.items():
        value = getattr(parse, name)
        if value is not None and (name != "outlet" or with_outlet):
            lines.append(f"{key}: {value}")
    return lines


def _render_with_header(parse: Parse, with_outlet: bool) -> str:
    head = [parse.title, json.dumps(parse.topics, ensure_ascii=False)]
    if parse.duration_seconds is not None:
        head.append(duration_to_text(parse.duration_seconds))
    head += _header_lines(parse, with_outlet)
    # Two dialects: the package's `NAME "..."` bites, or `NAME:` turns throughout, which
    # the reader of the name-colon style takes. The parse's own style goes first; the
    # other is the fallback when the first does not read back as the same report.
    dialects = [False, True] if parse.style == "package" else [True, False]
    own = _own_style_writer(parse.style)
    if own is not None and _reads_back(text := own(parse), parse):
        return text  # a shot list, a script or captions written back in their own style
    texts = [_render(parse, head, colon_first) for colon_first in dialects]
    return next((text for text in texts if _reads_back(text, parse)), texts[0])


def _own_style_writer(style: str):
    """The style module's own `write`, for styles the text format cannot say whole."""
    from . import styles  # the styles import the parser, which this module imports

    module = next((module for module in styles.STYLES if style == module.NAME), None)
    return getattr(module, "write", None)


def _reads_back(text: str, parse: Parse) -> bool:
    try:
        return parse_text(text) == parse
    except TranscriptError:
        return False


def _render(parse: Parse, head: list[str], colon_first: bool) -> str:
    segments = parse.segments
    options = [
        _forms(
            segment,
            segments[index - 1] if index else None,
            _next(segments, index),
            colon_first,
            parse.correspondent,
        )  # fmt: skip
        for index, segment in enumerate(segments)
    ]
    choices = [0] * len(segments)
    text = _join(head, options, choices)
    for _ in range(3 * len(segments) + 10):
        mismatch = _first_mismatch(text, parse, len(head))
        if mismatch is None or mismatch >= len(segments):
            break
        if choices[mismatch] + 1 < len(options[mismatch]):
            choices[mismatch] += 1
        elif mismatch and choices[mismatch - 1] + 1 < len(options[mismatch - 1]):
            # The paragraph before may be the one that changes how this one reads.
            choices[mismatch - 1] += 1
            choices[mismatch] = 0
        else:
            break
        text = _join(head, options, choices)
    return text


def _next(segments: list[ParsedSegment], index: int) -> ParsedSegment | None:
    return segments[index + 1] if index + 1 < len(segments) else None


def _join(head: list[str], options: list[list[str]], choices: list[int]) -> str:
    paragraphs = [forms[choice] for forms, choice in zip(options, choices, strict=True)]
    return "\n".join([*head, *paragraphs]) + "\n"


def _first_mismatch(text: str, expected: Parse, head_lines: int) -> int | None:
    """Index of the first segment that `text` does not give back, None when all match."""
    try:
        again = parse_text(text)
    except TranscriptError as error:
        # One paragraph per line, after the head: the line tells the segment.
        return max(0, (error.line or 0) - head_lines - 1)
    if again == expected:
        return None
    for index, (got, wanted) in enumerate(zip(again.segments, expected.segments, strict=False)):
        if got != wanted:
            return index
    return min(len(again.segments), len(expected.segments))


def _forms(segment: ParsedSegment, *context) -> list[str]:
    """The ways to write `segment`, the most natural first, after its timecode if it has one.

    `context` is what `_untimed_forms` takes after the segment.
    """
    forms = _untimed_forms(segment, *context)
    if segment.start_seconds is None:
        return forms
    stamp = timecode_text(segment.start_seconds, segment.end_seconds)
    return [f"{stamp} {form}" for form in forms]


def _untimed_forms(
    segment: ParsedSegment,
    previous: ParsedSegment | None,
    following: ParsedSegment | None,
    colon_first: bool,
    correspondent: str | None,
) -> list[str]:
    kind, speaker, title, words = segment.kind, segment.speaker, segment.speaker_title, segment.text
    if kind == "direction":
        return [f"({words})"]
    if kind == "signoff":
        return [words]

    name = speaker.upper() if speaker else None
    label = ", ".join(part for part in (name, title) if part)
    spaced = " ".join(part for part in (name, title) if part)
    plain: list[str] = [words]
    quoted: list[str] = []
    cued: list[str] = []
    if label:
        if kind == "intro":
            cued = [f"{label}: {words}"]
        elif kind == "narration":
            cued = [f"{label} (voice-over): {words}", f"{label}: {words}"]
        elif kind == "standup":
            quoted = [f'{spaced} "{words}"', f'{label} "{words}"']
            cued = [f"{label} (on camera): {words}", f"{label}: {words}"]
        else:
            quoted = [f'{label} "{words}"', f'{spaced} "{words}"']
            cued = [f"{label}: {words}", f"{label} (on camera): {words}"]
            if name and title:
                # The guest's shape; first where the title would make one of the programme's own.
                guest = f"Mx. {name} ({title}): {words}"
                cued = [guest, *cued] if is_journalist_title(title) else [*cued, guest]

    if speaker and speaker != name and any(char.islower() for char in speaker):
        # As written (`Carla Benning:`): a name whose case no mention in the words keeps.
        as_written = ", ".join(part for part in (speaker, title) if part)
        cued.append(f"{as_written}: {words}")
    if previous is not None and (previous.kind, previous.speaker) == (kind, speaker) and not title:
        forms = plain + quoted + cued
    elif kind in ("intro", "narration") and not title:
        forms = plain + cued
    elif colon_first:
        forms = cued + quoted + plain
    else:
        forms = quoted + cued + plain
    if (
        following is not None
        and (following.kind, following.speaker) == (kind, speaker)
        and following.speaker_title is None
        and not (kind == "narration" and speaker == correspondent)
    ):
        # Only after a `NAME:` cue does a bare paragraph go on in the same voice; the
        # correspondent's narration goes on uncued in any case.
        forms = cued + forms
    return list(dict.fromkeys(forms))
