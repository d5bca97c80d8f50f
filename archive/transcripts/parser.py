"""Reading a transcript in text format version 1 (see DESIGN.md) into a Parse."""

import dataclasses
import re

from .credits import Lead, SignOff, find_signoff, read_lead
from .cues import (
    COMMAS,
    ON_CAMERA,
    VOICE_OVER,
    Cue,
    read_bare_standup,
    read_cue,
    read_direction,
)
from .header import Header, numbered_lines, read_header
from .model import Parse, ParsedSegment, TranscriptError
from .names import Names, name_key
from .timecodes import split_timecode
from .titles import title_start

MAX_LINE_BYTES = 1_000_000
_BYTE_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_TEXT_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Tab, vertical tab and form feed are whitespace; every other control character means
# the file is not text.
_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_UTF16_BYTE_ORDER_MARKS = (b"\xff\xfe", b"\xfe\xff")
# Longer than this, a name taken from a cue without a comma is more likely a name and
# the start of an unknown title ("GORDON PELLETIER HARLOW SPRINGS COUNCIL MEMBER").
_LONGEST_UNCONFIRMED_NAME = 3
# How many of the last spoken paragraphs may hold the sign-off.
_SIGNOFF_REACH = 3


def parse_bytes(data: bytes) -> Parse:
    """Decode a transcript file and parse it; refuse what is not a UTF-8 text transcript."""
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
    return parse(text)


def _byte_line(data: bytes, position: int) -> int:
    return len(_BYTE_LINE_BREAK.findall(data, 0, position)) + 1


def parse(text: str) -> Parse:
    """Parse decoded transcript text. Raises TranscriptError, and nothing else."""
    header, paragraphs = read_header(numbered_lines(text))
    return _Reader(header, paragraphs).read()


@dataclasses.dataclass(frozen=True)
class _Voice:
    """Who an uncued paragraph continues: `NAME:` transcripts cue only a change of speaker."""

    kind: str
    speaker: str | None
    speaker_title: str | None = None


@dataclasses.dataclass(frozen=True)
class _Paragraph:
    line: int
    text: str
    direction: str | None
    cue: Cue | None

    @property
    def body(self) -> str:
        """The words after a `NAME:` cue, or the whole paragraph when it has no cue."""
        return self.cue.text if self.cue is not None else self.text


class _Reader:
    def __init__(self, header: Header, lines: list[tuple[int, str]]):
        self.header = header
        self.warnings = list(header.warnings)
        self.first_line = lines[0][0]
        self.times: dict[int, tuple[float | None, float | None]] = {}  # by paragraph line
        self.paragraphs = self._classify(lines)
        self.segments: list[ParsedSegment] = []
        corpus = "\n".join([header.title, *(text for _, text in lines)])
        self.names = Names(corpus)
        self.heard: list[str] = []  # full names, most recently heard last
        self.correspondent: str | None = None
        self.anchor: str | None = None
        self.spoken = False  # whether a paragraph has been heard yet: the first is the intro

    def _classify(self, lines: list[tuple[int, str]]) -> list[_Paragraph]:
        paragraphs = []
        pending: tuple[float | None, float | None] = (None, None)
        for line, text in lines:
            start, end, text = split_timecode(text)
            if start is not None and not text:  # a timecode alone: it times the next paragraph
                pending = (start, end)
                continue
            if start is None:
                start, end = pending
            pending = (None, None)
            if start is not None:
                self.times[line] = (start, end)
            direction = read_direction(text)
            cue = None if direction is not None else read_cue(text)
            if cue is not None and cue.style == "quote" and not cue.text:
                self.warnings.append(f"line {line}: the quotation holds no words; left out")
                continue
            paragraphs.append(_Paragraph(line, text, direction, cue))
        return paragraphs

    def read(self) -> Parse:
        speech = [paragraph for paragraph in self.paragraphs if paragraph.direction is None]
        signed, signoff = self._find_signoff(speech)
        outlet, dateline = self._credit(signoff, self._find_lead(speech))

        voice: _Voice | None = None
        for paragraph in self.paragraphs:
            if paragraph.direction is not None:
                self._add("direction", None, None, paragraph.direction, paragraph.line)
                voice = None
                continue
            cue, text, signoff_text = paragraph.cue, paragraph.text, None
            if paragraph is signed and signoff is not None:
                kept, signoff_text = _cut(paragraph.body, signoff.start)
                if cue is None:
                    text = kept
                else:
                    cue = dataclasses.replace(cue, text=kept)
            if cue is not None or text:  # else the sign-off was the whole paragraph
                voice = self._read_speech(cue, text, paragraph.line, voice)
            if signoff_text is not None:
                self._add("signoff", self.correspondent, None, signoff_text, paragraph.line)
                voice = None

        if not self.segments:
            raise TranscriptError("the transcript has no words after its title", self.first_line)
        if self.correspondent is None and any(
            segment.kind in ("narration", "standup") and segment.speaker is None
            for segment in self.segments
        ):
            self.warnings.append(
                f"line {self.first_line}: the correspondent is not named "
                '(no sign-off, and no "X reports" in the intro)'
            )
        provenance = dict(self.header.provenance)
        return Parse(
            title=self.header.title,
            topics=self.header.topics,
            duration_seconds=self.header.duration_seconds,
            outlet=provenance.pop("outlet", None) or outlet,
            correspondent=self.correspondent,
            dateline=dateline,
            segments=self.segments,
            warnings=self.warnings,
            **provenance,
        )

    # Credits

    def _find_signoff(self, speech: list[_Paragraph]) -> tuple[_Paragraph | None, SignOff | None]:
        """The sign-off ends the report, or its package when the anchor has the last word."""
        for paragraph in reversed(speech[-_SIGNOFF_REACH:]):
            if paragraph.cue is not None and paragraph.cue.style != "colon":
                continue
            if signoff := find_signoff(paragraph.body):
                return paragraph, signoff
        return None, None

    def _find_lead(self, speech: list[_Paragraph]) -> Lead:
        for paragraph in speech:
            if paragraph.cue is not None and paragraph.cue.style != "colon":
                return Lead()
            if paragraph.body:  # else a cue alone on its line: the intro follows
                return read_lead(paragraph.body)
        return Lead()

    def _credit(self, signoff: SignOff | None, lead: Lead) -> tuple[str | None, str | None]:
        """Settle the correspondent; return (outlet, dateline). The sign-off outranks the lead."""
        if signoff is not None:
            name = signoff.name
            if lead.correspondent and name_key(lead.correspondent) != name_key(name):
                self.warnings.append(
                    f"line {self.first_line}: the intro names {lead.correspondent!r} "
                    f"but the sign-off {name!r}; took the sign-off"
                )
            outlet, dateline = signoff.outlet, signoff.place
        else:
            name, outlet, dateline = lead.correspondent, lead.outlet, lead.dateline
        if name is not None:
            if not any(char.islower() for char in name):
                name = self.names.natural_case(name)
            self.correspondent = name
            self._hear(name)
        return outlet, dateline

    # Paragraphs

    def _read_speech(
        self, cue: Cue | None, text: str, line: int, voice: _Voice | None
    ) -> _Voice | None:
        if not self.spoken and not (voice is not None and cue is None):
            return self._read_first(cue, text, line)
        return self._read_paragraph(cue, text, line, voice)

    def _read_first(self, cue: Cue | None, text: str, line: int) -> _Voice | None:
        """The studio's intro, told by an anchor when a `NAME:` cue opens it."""
        if cue is None:
            self._add("intro", None, None, text, line)
            return None
        if cue.style == "colon" and cue.qualifier not in (VOICE_OVER, ON_CAMERA):
            speaker, title = self._identify(cue.label, line)
            if not self._is_correspondent(speaker):
                # The report follows the intro: a bare paragraph after it is narration.
                self.anchor = speaker
                if not cue.text:
                    return _Voice("intro", speaker, title)
                self._add("intro", speaker, title, cue.text, line)
                return None
        self.warnings.append(f"line {line}: the report has no intro; it opens with a cue")
        return self._read_paragraph(cue, text, line, None)

    def _read_paragraph(
        self, cue: Cue | None, text: str, line: int, voice: _Voice | None
    ) -> _Voice | None:
        if cue is None:
            if voice is not None:
                self._add(voice.kind, voice.speaker, voice.speaker_title, text, line)
                if voice.kind == "intro":
                    return None
                return dataclasses.replace(voice, speaker_title=None)
            if self.correspondent and (standup := read_bare_standup(text, self.correspondent)):
                place, words = standup
                self._add("standup", self.correspondent, place, words, line)
                return None
            self._add("narration", self.correspondent, None, text, line)
            return None

        speaker, title = self._identify(cue.label, line)
        if cue.style == "quote":
            if not cue.closed:
                self.warnings.append(f"line {line}: the quotation has no closing quotation mark")
            kind = "standup" if self._is_correspondent(speaker) else "soundbite"
            self._add(kind, speaker, title, cue.text, line)
            return None

        if cue.qualifier == VOICE_OVER:
            kind = "narration"
        elif cue.qualifier == ON_CAMERA:
            kind = "standup" if self._is_correspondent(speaker) else "soundbite"
        elif self._is_correspondent(speaker) or (
            speaker is not None and self.anchor is not None and speaker == self.anchor
        ):
            kind = "narration"
        else:
            kind = "soundbite"
        return self._add_voiced(kind, speaker, title, cue.text, line)

    def _add_voiced(
        self, kind: str, speaker: str | None, title: str | None, text: str, line: int
    ) -> _Voice:
        if text:
            self._add(kind, speaker, title, text, line)
            return _Voice(kind, speaker)
        # A cue alone on its line: the words follow on the next.
        return _Voice(kind, speaker, title)

    def _add(self, kind: str, speaker: str | None, title: str | None, text: str, line: int):
        text = text.strip()
        if not text:
            self.warnings.append(f"line {line}: a {kind} with no words was left out")
            return
        start, end = self.times.get(line, (None, None))
        self.segments.append(ParsedSegment(kind, speaker, title, text, line, start, end))
        self.spoken = self.spoken or kind != "direction"

    def _is_correspondent(self, speaker: str | None) -> bool:
        return (
            speaker is not None
            and self.correspondent is not None
            and name_key(speaker) == name_key(self.correspondent)
        )

    # People

    def _hear(self, name: str) -> None:
        if len(name.split()) < 2:
            return
        self.heard = [known for known in self.heard if name_key(known) != name_key(name)]
        self.heard.append(name)

    def _identify(self, label: str, line: int) -> tuple[str | None, str | None]:
        """Split a cue label into (speaker in natural case, title as broadcast)."""
        comma = min((label.find(c) for c in COMMAS if c in label), default=-1)
        head = label if comma == -1 else label[:comma]
        after_comma = "" if comma == -1 else label[comma + 1 :]
        spans = list(re.finditer(r"\S+", head))
        words = [span.group() for span in spans]

        known = self._known_prefix(words)
        if known is not None:
            length, speaker = len(known.split()), known
        else:
            length = self._name_length(words, comma != -1, after_comma, label, line)
            speaker = None
        if length == 0:
            return None, label
        title = label[spans[length - 1].end() :].strip().lstrip("".join(COMMAS)).strip()
        if speaker is None:
            speaker = self._resolve(head[: spans[length - 1].end()], line)
        self._hear(speaker)
        return speaker, title or None

    def _known_prefix(self, words: list[str]) -> str | None:
        keys = [name_key(word) for word in words]
        best = None
        for person in self.heard:
            person_keys = name_key(person).split()
            if keys[: len(person_keys)] == person_keys and (
                best is None or len(person_keys) > len(best.split())
            ):
                best = person
        return best

    def _name_length(
        self, words: list[str], has_comma: bool, after_comma: str, label: str, line: int
    ) -> int:
        """How many of the words before the first comma name the speaker."""
        starts_title = title_start(words)
        if starts_title == 0:
            return 0
        # A longer name is mentioned only where its first two words are: check those first.
        if len(words) >= 2 and self.names.mention(" ".join(words[:2])):
            for length in range(len(words), 1, -1):
                if self.names.mention(" ".join(words[:length])):
                    return length
        title_after_comma = title_start(after_comma.split())
        comma_follows_title = title_after_comma is None or title_after_comma > 1
        if starts_title is not None and (not has_comma or comma_follows_title):
            if starts_title <= _LONGEST_UNCONFIRMED_NAME:
                return starts_title
            return self._guess(label, 2, line)
        if has_comma or len(words) <= 2:
            return len(words)
        return self._guess(label, 2, line)

    def _guess(self, label: str, length: int, line: int) -> int:
        name = " ".join(label.split()[:length])
        self.warnings.append(
            f"line {line}: cannot tell the name from the title in {label!r}; "
            f"took {name!r} as the name"
        )
        return length

    def _resolve(self, name: str, line: int) -> str:
        """Natural case for a cue's name; a surname alone becomes the full name heard earlier."""
        natural = self.names.natural_case(name)
        if len(name.split()) != 1:
            return natural
        key = name_key(name)
        matches = [person for person in self.heard if name_key(person).split()[-1] == key]
        if matches:
            if len(matches) > 1:
                self.warnings.append(
                    f"line {line}: {name!r} could be any of {', '.join(matches)}; "
                    f"took {matches[-1]!r}, heard last"
                )
            return matches[-1]
        full_name = self.names.full_name_ending_with(natural)
        # Spelled as a cue naming the whole name would be, so both read alike.
        return self.names.natural_case(full_name) if full_name else natural


def _cut(text: str, start: int) -> tuple[str, str]:
    return text[:start].rstrip(), text[start:].strip()
