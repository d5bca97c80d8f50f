"""The reader the cue styles share: paragraphs opened by a cue that names the speaker.

The `package` style (the seed's `NAME, TITLE "..."`) is read by CueReader as it is;
`name-colon` (styles/name_colon.py) is a subclass that knows more cue shapes. Both
settle the correspondent from the sign-off or the lead, tell intro, narration, sound
bites, stand-ups and directions apart, and say how sure they are of each speaker.
"""

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
from .header import Header
from .model import Parse, ParsedSegment, TranscriptError
from .names import Names, name_key
from .timecodes import Timed
from .titles import is_job_word, title_start, words_of

# Longer than this, a name taken from a cue without a comma is more likely a name and
# the start of an unknown title ("GORDON PELLETIER HARLOW SPRINGS COUNCIL MEMBER").
_LONGEST_UNCONFIRMED_NAME = 3
# How many of the last spoken paragraphs may hold the sign-off.
_SIGNOFF_REACH = 3
# Title words that make a speaker one of the programme's own journalists.
_JOURNALIST_WORDS = frozenset(
    words_of("ANCHOR BYLINE CO-HOST CORRESPONDENT HOST NEWSREADER PRESENTER REPORTER")
)
# Words that make a "name" an organization or a publication, not a person.
_ORGANIZATION_WORDS = frozenset(
    words_of(
        """
        AGENCY ASSOCIATION BANK BUREAU CENTER CENTRE COMMITTEE COMPANY CORP CORPORATION
        COUNCIL DEPARTMENT FOUNDATION GROUP INC INSTITUTE JOURNAL LTD MAGAZINE MINISTRY
        NETWORK NEWS NEWSPAPER OFFICE PARTY SCHOOL SOUNDBITE TIMES UNIVERSITY
        """
    )
)


@dataclasses.dataclass(frozen=True)
class Who:
    """Who a cue names, and how sure the reader is of it."""

    speaker: str | None
    title: str | None
    basis: str = "cue"
    doubt: str | None = None  # why an editor must confirm the speaker


@dataclasses.dataclass(frozen=True)
class _Voice:
    """Who an uncued paragraph continues: `NAME:` transcripts cue only a change of speaker."""

    kind: str
    who: Who
    speaker_title: str | None = None


@dataclasses.dataclass(frozen=True)
class _Paragraph:
    line: int
    text: str
    direction: str | None
    cue: Cue | None
    times: tuple[float | None, float | None] = (None, None)

    @property
    def body(self) -> str:
        """The words after a `NAME:` cue, or the whole paragraph when it has no cue."""
        return self.cue.text if self.cue is not None else self.text


_NOBODY = Who(None, None, "")


class CueReader:
    style = "package"
    # Whether an anchor's cued intro goes on in the uncued paragraphs after it, as a
    # `NAME:` transcript means; in a package, the report follows a one-paragraph intro.
    intro_goes_on = False

    def __init__(
        self,
        header: Header,
        paragraphs: list[Timed],
        times: list[tuple[float | None, float | None]],
        warnings: list[str],
    ):
        self.header = header
        self.warnings = warnings
        self.first_line = paragraphs[0].line
        self.paragraphs = self._classify(paragraphs, times)
        self.segments: list[ParsedSegment] = []
        corpus = "\n".join([header.title, *(paragraph.text for paragraph in paragraphs)])
        self.names = Names(corpus)
        self.heard: list[str] = []  # full names, most recently heard last
        self.correspondent: str | None = None
        self.anchor: str | None = None
        self.spoken = False  # whether a paragraph has been heard yet: the first is the intro
        self._times: tuple[float | None, float | None] = (None, None)

    def read_cue(self, text: str) -> Cue | None:
        return read_cue(text)

    def _classify(self, paragraphs: list[Timed], times) -> list[_Paragraph]:
        classified = []
        for paragraph, timing in zip(paragraphs, times, strict=True):
            line, text = paragraph.line, paragraph.text
            direction = read_direction(text)
            cue = None if direction is not None else self.read_cue(text)
            if cue is not None and cue.style == "quote" and not cue.text:
                self.warnings.append(f"line {line}: the quotation holds no words; left out")
                continue
            classified.append(_Paragraph(line, text, direction, cue, timing))
        return classified

    def read(self) -> Parse:
        speech = [paragraph for paragraph in self.paragraphs if paragraph.direction is None]
        signed, signoff = self._find_signoff(speech)
        outlet, dateline = self._credit(signoff, self._find_lead(speech))

        voice: _Voice | None = None
        for paragraph in self.paragraphs:
            self._times = paragraph.times
            if paragraph.direction is not None:
                self._add("direction", _NOBODY, None, paragraph.direction, paragraph.line)
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
                who = Who(self.correspondent, None, "context" if self.correspondent else "")
                self._add("signoff", who, None, signoff_text, paragraph.line)
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
        return Parse(
            title=self.header.title,
            topics=self.header.topics,
            duration_seconds=self.header.duration_seconds,
            correspondent=self.correspondent,
            dateline=dateline,
            segments=self.segments,
            warnings=self.warnings,
            style=self.style,
            **self.header.parse_fields(outlet),
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
        """The lead in the intro: the first paragraph with words, unless a bite opens."""
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
            self._add("intro", _NOBODY, None, text, line)
            return None
        who = None
        if cue.style == "colon" and cue.qualifier not in (VOICE_OVER, ON_CAMERA):
            who = self._identify(cue, line)
            if not self._is_correspondent(who.speaker) and self._may_introduce(who):
                # The report follows the intro: a bare paragraph after it is narration.
                self.anchor = who.speaker
                if not cue.text:
                    return _Voice("intro", who, who.title)
                self._add("intro", who, who.title, cue.text, line)
                return _Voice("intro", who) if self.intro_goes_on else None
        self.warnings.append(f"line {line}: the report has no intro; it opens with a cue")
        return self._read_cued(cue, who or self._identify(cue, line), line)

    def _may_introduce(self, who: Who) -> bool:
        """Whether the first cued speaker may be the studio telling the intro."""
        return True

    def _read_paragraph(
        self, cue: Cue | None, text: str, line: int, voice: _Voice | None
    ) -> _Voice | None:
        if cue is None:
            if voice is not None:
                self._add(voice.kind, voice.who, voice.speaker_title, text, line)
                if voice.kind == "intro" and not self.intro_goes_on:
                    return None
                return dataclasses.replace(voice, speaker_title=None)
            if self.correspondent and (standup := read_bare_standup(text, self.correspondent)):
                place, words = standup
                self._add("standup", Who(self.correspondent, None), place, words, line)
                return None
            who = Who(self.correspondent, None, "context" if self.correspondent else "")
            self._add("narration", who, None, text, line)
            return None
        return self._read_cued(cue, self._identify(cue, line), line)

    def _read_cued(self, cue: Cue, who: Who, line: int) -> _Voice | None:
        if cue.style == "quote":
            if not cue.closed:
                self.warnings.append(f"line {line}: the quotation has no closing quotation mark")
            kind = "standup" if self._is_correspondent(who.speaker) else "soundbite"
            self._add(kind, who, who.title, cue.text, line)
            return None
        return self._add_voiced(self._kind(cue, who), who, cue.text, line)

    def _kind(self, cue: Cue, who: Who) -> str:
        """The kind of a `NAME:` turn."""
        if cue.qualifier == VOICE_OVER:
            return "narration"
        if cue.qualifier == ON_CAMERA:
            return "standup" if self._is_correspondent(who.speaker) else "soundbite"
        if self._is_correspondent(who.speaker) or (
            who.speaker is not None and self.anchor is not None and who.speaker == self.anchor
        ):
            return "narration"
        return "soundbite"

    def _add_voiced(self, kind: str, who: Who, text: str, line: int) -> _Voice:
        if text:
            self._add(kind, who, who.title, text, line)
            return _Voice(kind, who)
        # A cue alone on its line: the words follow on the next.
        return _Voice(kind, who, who.title)

    def _add(self, kind: str, who: Who, title: str | None, text: str, line: int):
        text = text.strip()
        if not text:
            self.warnings.append(f"line {line}: a {kind} with no words was left out")
            return
        if who.doubt is not None:
            self.warnings.append(f"line {line}: {who.doubt}; the segment needs review")
        start, end = self._times
        self._times = (None, None)  # a paragraph's time is the time of its first segment
        self.segments.append(
            ParsedSegment(
                kind,
                who.speaker,
                title,
                text,
                line,
                start_seconds=start,
                end_seconds=end,
                speaker_basis=who.basis if who.speaker is not None else "",
                needs_review=who.doubt is not None,
            )
        )
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

    def _identify(self, cue: Cue, line: int) -> Who:
        """Split a cue label into the speaker in natural case and the title as broadcast."""
        label = cue.label
        if label.upper() in FLOOR:
            return Who(None, label, "")  # a question from the floor is nobody's to quote
        comma = min((label.find(c) for c in COMMAS if c in label), default=-1)
        head = label if comma == -1 else label[:comma]
        after_comma = "" if comma == -1 else label[comma + 1 :]
        spans = list(re.finditer(r"\S+", head))
        words = [span.group() for span in spans]

        self._guessed = None
        known = self._known_prefix(words)
        if known is not None:
            length, speaker, basis = len(known.split()), known, "cue"
        else:
            length = self._name_length(words, comma != -1, after_comma, label, line)
            speaker, basis = None, "cue"
        if length == 0:
            return Who(None, label, "")
        title = label[spans[length - 1].end() :].strip().lstrip("".join(COMMAS)).strip()
        if speaker is None:
            speaker, basis = self._resolve(head[: spans[length - 1].end()], line)
        self._hear(speaker)
        doubt = self._guessed or self._doubt_about(speaker, basis, line)
        if doubt is not None:
            basis = "guess"
        return Who(speaker, title or None, basis, doubt)

    def _doubt_about(self, speaker: str, basis: str, line: int) -> str | None:
        """Why `speaker` may not be a person's name; None when it reads as one."""
        words = [word.strip(".,").upper() for word in speaker.split()]
        if any(word in _ORGANIZATION_WORDS or is_job_word(word) for word in words):
            return f"{speaker!r} looks like a title or an organization, not a name"
        return None

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
        self._guessed = f"the name in {label!r} is a guess"
        return length

    def _resolve(self, name: str, line: int) -> tuple[str, str]:
        """Natural case for a cue's name, and its basis; a surname becomes the full name."""
        natural = self.names.natural_case(name)
        if len(name.split()) != 1:
            return natural, "cue"
        key = name_key(name)
        matches = [person for person in self.heard if surname_key(person) == key]
        if matches:
            if len(matches) > 1:
                self.warnings.append(
                    f"line {line}: {name!r} could be any of {', '.join(matches)}; "
                    f"took {matches[-1]!r}, heard last"
                )
                self._guessed = f"{name!r} names more than one person heard"
            return matches[-1], "surname"
        full_name = self.names.full_name_ending_with(natural)
        # Spelled as a cue naming the whole name would be, so both read alike.
        if full_name:
            return self.names.natural_case(full_name), "surname"
        return self._lone_name(natural, line)

    def _lone_name(self, natural: str, line: int) -> tuple[str, str]:
        """A one-word name the text says no more about: in a package, a first name."""
        return natural, "cue"


# Cues for a question from the floor: a role, never a person called "Question".
FLOOR = frozenset(words_of("QUESTION Q QUESTIONER"))
_NAME_SUFFIXES = frozenset(words_of("jr jr. sr sr. ii iii iv"))


def surname_key(name: str) -> str:
    """The key of a full name's surname: Robert K. Lane Jr. -> lane."""
    words = name_key(name).split()
    while len(words) > 1 and words[-1].strip(",") in _NAME_SUFFIXES:
        words.pop()
    return words[-1].strip(",") if words else ""


def is_journalist_title(title: str | None) -> bool:
    """Whether a caption makes its speaker one of the programme's journalists."""
    return bool(title) and any(
        word.strip(",.") in _JOURNALIST_WORDS for word in title.upper().split()
    )


def _cut(text: str, start: int) -> tuple[str, str]:
    return text[:start].rstrip(), text[start:].strip()
