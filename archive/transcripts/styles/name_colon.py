"""The `name-colon` style: US network and public-radio transcripts, and briefings.

`NAME, TITLE:` then `SURNAME:` (CNN, PBS), `NAME, BYLINE:` and `NAME, HOST:` (NPR),
mixed-case cues (`Carla Benning:`), initials after a first full cue
(`Ruth Adeyemi (RA):` then `RA:`), delivery notes (`(voice-over)`, `(on camera)`, a
bare `(on camera):`, `(through translator)`), honorifics resolved to the full name the
text gives (`MR HALVERSON:`, `DEPUTY SECRETARY LINDQVIST:`), speakers nobody names
(`UNIDENTIFIED MALE:`, `CROWD:`), `ANNOUNCER:`, and `QUESTION:` from the floor, which
is nobody's. The programme's own journalists narrate; everyone else is a sound bite.
"""

import re

from ..credits import Lead, read_lead
from ..cues import (
    COMMAS,
    ON_CAMERA,
    VOICE_OVER,
    Cue,
    collapse,
    first_colon,
    label_shape,
    qualifier_of,
    read_cue,
    read_direction,
    split_qualifier,
)
from ..names import name_key
from ..paragraphs import text_paragraphs
from ..reader import FLOOR, CueReader, Who, _Paragraph, is_journalist_title, surname_key
from ..timecodes import Timed
from ..titles import name_case, title_start, words_of

NAME = "name-colon"

# Of those, the ones that go to the field: their turn on camera is a stand-up.
_FIELD_WORDS = frozenset(words_of("BYLINE CORRESPONDENT REPORTER"))
# Cues that are a role, never a person: the words are nobody's to quote.
_ANNOUNCERS = frozenset(words_of("ANNOUNCER NARRATOR"))
# Cues that name the programme's role, not the person in it (CRI, CGTN, VOA): the
# studio's, and the field's, whose speaker is the correspondent once known.
_STUDIO_ROLES = frozenset(
    ("ANCHOR", "HOST", "CO-HOST", "PRESENTER", "NEWSREADER", "VOICE ONE", "VOICE TWO",
     "VOICE THREE", "VOICE 1", "VOICE 2", "VOICE 3")
)  # fmt: skip
_FIELD_ROLES = frozenset(("REPORTER", "CORRESPONDENT", "JOURNALIST"))
_ROLES = _STUDIO_ROLES | _FIELD_ROLES
# Honorifics that stand before a surname; the titled ones are kept as the caption.
_COURTESY = frozenset(words_of("MR MR. MRS MRS. MS MS. MISS DR DR. PROF PROF."))
_RANKS = frozenset(
    words_of(
        """
        ADMIRAL AMBASSADOR CHAIRMAN CHAIRWOMAN COMMISSIONER CONGRESSMAN CONGRESSWOMAN
        GENERAL GOVERNOR JUDGE MAYOR MINISTER PRESIDENT REPRESENTATIVE SECRETARY SENATOR
        SPOKESMAN SPOKESPERSON SPOKESWOMAN
        """
    )
)
_RANK_PREFIXES = frozenset(words_of("ASSISTANT DEPUTY FOREIGN PRIME UNDER VICE"))
_INITIALS = re.compile(r"[A-Z]{2,4}")
_BARE_NOTE = re.compile(r"\((?P<note>[A-Za-z][A-Za-z /-]{1,30})\):\s*(?P<text>.*)", re.DOTALL)
# A mixed-case name word: Carla, O'Brien, McAllister, K., Jr.; or a particle.
_NAME_WORD = re.compile(r"[A-Z](?=[\w'’-]*[a-z])[\w'’-]*|[A-Z]\.?|Jr\.|Sr\.")
_CAPITALS_WORD = re.compile(r"[A-Z][\w'’-]*|[A-Z]\.|JR\.|SR\.")
_PARTICLES = frozenset(words_of("al bin da de del der di du el la le van von"))
_NOT_NAME_STARTS = frozenset(
    words_of(
        """
        A After All An And As At But By For From Here How If In It Its Now Of On Or Our So
        That The Then There These They This Today Tonight Well What When Where Who Why With
        Yes
        """
    )
)
_MAX_MIXED_TITLE_WORDS = 14
_TITLE_IN_PARENTHESES = re.compile(
    r"(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Rev|Sen|Rep|Gov|Gen)\.?\s+"
    r"(?P<name>[A-Z][A-Z.'’ -]{1,60}?[A-Z.])\s*(?:\((?P<title>[^()]{1,160})\))?:\s+(?P<text>.*)",
    re.DOTALL,
)
# `S. O'BRIEN:` tells apart two people of one surname by the initial of the first name.
_INITIAL_AND_SURNAME = re.compile(r"(?P<initial>[A-Z])\.\s+(?P<surname>[A-Z][A-Z'’-]+)")
# An outlet's call letters in a caption: CNN, NPR, PBS, WNX, BBC (no vowels-only words).
_OUTLET = re.compile(r"[A-Z]{2,5}")
# Two turns glued in one paragraph: a sentence ends, and a capitals cue follows.
_GLUED_TURN = re.compile(
    r"(?:(?<=[.?!])|(?<=[.?!][\"”’)]))\s+"
    r"(?=[A-Z][A-Z.'’\- ]{1,60}(?:,[^:]{1,120})?(?:\s*\([^()]{1,30}\))?:\s)"
)
_MOST_GLUED_NAME_WORDS = 5
_GLUED_DIRECTION = re.compile(r"(?:(?<=[.?!])|(?<=[.?!][\"”’]))\s+(\([A-Z][A-Z ]{2,40}\))(?=\s+\S)")
# The host names the co-host: `I'm Amy Goodman, with Juan González.`, `I'm Ari Lane and
# I'm Dev Sol.`, `I'm Ari Lane, and with me is Dev Sol.`
_NAME_WORDS = r"[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3}"
_HOSTS = re.compile(
    rf"\bI['’]m (?P<host>{_NAME_WORDS}),? (?:with|and I['’]m|and with me is|and) "
    rf"(?P<co_host>{_NAME_WORDS})\b"
)
_SELF_INTRODUCTION = re.compile(rf"\bI['’]m (?P<name>{_NAME_WORDS})\b")
# How many opening paragraphs may hold the toss that names the correspondent.
_LEAD_REACH = 6


def detect(lines: list[tuple[int, str]]) -> bool:
    """Most cues are `NAME:` cues (and there is one), not the package's `NAME "..."`."""
    colon = quote = 0
    mixed_names = set()  # `Tavis Smiley:`, `Amy Goodman:`: two of them make the style
    # Turns glued in one paragraph count one by one, as the reader splits them.
    for text in (turn for _, line in lines[1:] for turn in _split_glued(line)):
        cue = read_name_colon_cue(text)
        if cue is None:
            continue
        if (
            cue.style == "colon"
            and cue.label
            and (not cue.mixed or "," in cue.label or cue.label.upper() in _ROLES)
        ):
            colon += 1
        elif cue.style == "quote":
            quote += 1
        if cue.mixed and "," not in cue.label and len(cue.label.split()) >= 2:
            mixed_names.add(name_key(cue.label))
    if len(mixed_names) >= 2:
        colon += len(mixed_names)
    return colon > quote


def read(lines: list[tuple[int, str]], file_name: str | None = None):
    return NameColonReader(*text_paragraphs(lines)).read()


def read_name_colon_cue(text: str) -> Cue | None:
    """A cue in any of this style's shapes, or None."""
    if match := _TITLE_IN_PARENTHESES.match(text):
        # NPR's older house style: `Mr. BILL MOYERS (Author, "A Book"): ...`
        title = match.group("title")
        label = f"{match.group('name')}, {title}" if title else match.group("name")
        # Its own staff NPR cues `NEAL CONAN, host:`; a guest's title never makes a journalist.
        return Cue(collapse(label), match.group("text").strip(), "colon", guest=True)
    if match := _BARE_NOTE.match(text):
        # `(on camera): ...` goes on in the voice of the last speaker, now so delivered.
        return Cue("", match.group("text").strip(), "colon", qualifier_of(match.group("note")))
    if cue := _quoted_label_cue(text):
        return cue
    if cue := read_cue(text):
        return cue
    return _mixed_case_cue(text)


def _quoted_label_cue(text: str) -> Cue | None:
    """`ROBERT K. LANE JR., EDITOR, "WORLD POLICY" JOURNAL: ...`: quotation marks in a title."""
    colon = first_colon(text)
    if colon is None or not any(mark in text[:colon] for mark in '"“”'):
        return None
    label, note = split_qualifier(text[:colon])
    bare = re.sub(r"[\"“”]", "", label).rstrip(" ,")
    if label_shape(bare) != "cased" or not label[0].isalpha():
        return None
    return Cue(collapse(label.rstrip(" ,")), text[colon + 1 :].strip(), "colon", qualifier_of(note))


def _mixed_case_cue(text: str) -> Cue | None:
    """`Carla Benning:` or `Dana Whitfield, Former U.S. Ambassador to NATO:`."""
    colon = first_colon(text)
    if colon is None or colon > 160:
        return None
    label, note = split_qualifier(text[:colon])
    if not label or any(char in label for char in '?!;"“”:()'):
        return None
    name, comma, title = label.partition(",")
    words = name.split()
    if not 1 <= len(words) <= 5 or words[0] in _NOT_NAME_STARTS:
        return None
    # A name in capitals is a cue of this kind only before a title in small letters
    # (`LI MEIHUA, Xinhua correspondent:`); otherwise every word is written in mixed case.
    capitals = comma and name.isupper() and any(char.islower() for char in title)
    name_word = _CAPITALS_WORD if capitals else _NAME_WORD
    if not all(name_word.fullmatch(word) or word in _PARTICLES for word in words):
        return None
    if words[-1] in _PARTICLES:
        return None
    title_words = title.split()
    # `NEAL CONAN, host:`: a role in small letters after a name in capitals.
    role = capitals and len(title_words) <= 2 and is_journalist_title(title)
    if comma and not (
        title_words
        and len(title_words) <= _MAX_MIXED_TITLE_WORDS
        and (title_words[0][0].isupper() or title_words[0][0].isdigit() or role)
    ):
        return None
    body = text[colon + 1 :].strip()
    return Cue(collapse(label), body, "colon", qualifier_of(note), mixed=True)


def _split_glued(text: str) -> list[str]:
    """A paragraph holding two turns (`... ends here. SMITH: Next.`) as its turns.

    A direction in capitals between two sentences (`... tonight. (BREAK) SMITH: ...`)
    is a paragraph of its own too.
    """
    return [
        turn
        for piece in _GLUED_DIRECTION.split(text)
        if piece.strip()
        for turn in ([piece.strip()] if read_direction(piece.strip()) else _split_turns(piece))
    ]


def _split_turns(text: str) -> list[str]:
    pieces, start = [], 0
    for match in _GLUED_TURN.finditer(text):
        before = text[start : match.start()].split()
        # A sentence ended: its last word is in small letters (not `MR.` or `U.S.`).
        if len(before) < 2 or not any(char.islower() for char in before[-1]):
            continue
        cue = read_name_colon_cue(text[match.end() :])
        if cue is None or cue.style != "colon" or not cue.text:
            continue
        head = re.split(f"[{COMMAS}]", cue.label)[0].split()
        if len(head) > _MOST_GLUED_NAME_WORDS or not " ".join(head).isupper():
            continue
        pieces.append(text[start : match.start()])
        start = match.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _cue_name(paragraph: _Paragraph) -> str | None:
    """The name part of a paragraph's cue, as a key."""
    if paragraph.cue is None or not paragraph.cue.label:
        return None
    return name_key(re.split(f"[{COMMAS}]", paragraph.cue.label, maxsplit=1)[0])


def _is_journalist_title(title: str | None) -> bool:
    return is_journalist_title(title)


def _is_field_title(title: str | None) -> bool:
    return bool(title) and any(word.strip(",.") in _FIELD_WORDS for word in title.upper().split())


class NameColonReader(CueReader):
    style = NAME
    intro_goes_on = True

    field_reporter: str | None = None  # set for a second reading, see read()

    def __init__(self, header, paragraphs: list[Timed], times, warnings):
        self._source = (header, paragraphs, times, list(warnings))
        glued = []
        glued_times = []
        for paragraph, timing in zip(paragraphs, times, strict=True):
            for index, piece in enumerate(_split_glued(paragraph.text)):
                glued.append(Timed(paragraph.line, piece))
                glued_times.append(timing if index == 0 else (None, None))
        super().__init__(header, glued, glued_times, warnings)
        self.initials: dict[str, str] = {}
        self.journalists: set[str] = set()  # name keys
        self.guests: set[str] = set()  # name keys of guests, whatever their titles say
        self.last: Who | None = None
        # The outlet's call letters, from its journalists' captions (`CNN ANCHOR`).
        self.outlet_calls = {
            title.split()[0]
            for paragraph in self.paragraphs
            if paragraph.cue is not None
            and _is_journalist_title(title := paragraph.cue.label.partition(",")[2].strip())
            and len(title.split()) > 1
            and _OUTLET.fullmatch(title.split()[0])
        }
        corpus = "\n".join(paragraph.text for paragraph in glued)
        for match in re.finditer(r"\b[A-Z]{2,6}['’]s ((?:[A-Z][\w'’-]+ ?){2,3})", corpus):
            self.journalists.add(name_key(match.group(1)))
        for match in _HOSTS.finditer(corpus):  # `I'm Amy Goodman, with Juan González.`
            self.journalists.update(name_key(name.rstrip(".")) for name in match.groups())
        for paragraph in self.paragraphs[:_LEAD_REACH]:
            # The programme's people say who they are: `It's the PODCAST. I'm Susan Davis.`
            if paragraph.cue is None or not paragraph.cue.guest:
                for match in _SELF_INTRODUCTION.finditer(paragraph.text):
                    self.journalists.add(name_key(match.group("name").rstrip(".")))

    def read_cue(self, text: str) -> Cue | None:
        return read_name_colon_cue(text)

    def _classify(self, paragraphs, times) -> list[_Paragraph]:
        classified = super()._classify(paragraphs, times)
        # A one-word mixed-case cue is a cue only for a name written whole elsewhere
        # (`Benning:` after `Carla Benning:`); else it is a sentence (`Tonight: ...`).
        known = {
            name_key(word)
            for paragraph in classified
            if paragraph.cue is not None and paragraph.cue.mixed
            for word in paragraph.cue.label.split(",")[0].split()
            if len(paragraph.cue.label.split(",")[0].split()) > 1
        } | {name_key(role) for role in _ROLES | _ANNOUNCERS}
        named = False  # whether a cue has named someone: a bare `(on camera):` goes on
        for index, paragraph in enumerate(classified):
            cue = paragraph.cue
            if cue is None:
                continue
            lone = cue.mixed and "," not in cue.label and len(cue.label.split()) == 1
            if (lone and name_key(cue.label) not in known) or (not cue.label and not named):
                classified[index] = _Paragraph(
                    paragraph.line, paragraph.text, None, None, paragraph.times
                )
                continue
            named = named or bool(cue.label and title_start(cue.label.split()) != 0)
        return classified

    # Credits

    def _find_lead(self, speech: list[_Paragraph]) -> Lead:
        """The toss naming the correspondent: in the opening paragraphs, or after a break."""
        after_break = False
        speaking = None  # the last cue: uncued paragraphs go on in its voice
        anchor = self._opening_anchor(speech)
        for position, paragraph in enumerate(self.paragraphs):
            if paragraph.direction is not None:
                after_break, speaking = True, None
                continue
            if paragraph.cue is not None:
                speaking = paragraph
            cued = speaking or paragraph
            if (position < _LEAD_REACH or after_break) and paragraph.body:
                by_anchor = anchor is not None and _cue_name(cued) in (anchor, anchor.split()[-1])
                if not (self._may_toss(cued) or by_anchor):
                    if paragraph is speech[0]:
                        return Lead()  # a report that opens with a sound bite has no lead
                    continue
                lead = read_lead(paragraph.body)
                if lead.correspondent:
                    return lead
            after_break = False
        return Lead()

    @staticmethod
    def _opening_anchor(speech: list[_Paragraph]) -> str | None:
        """The name in the cue that opens the transcript, when it may be the studio's."""
        first = speech[0] if speech else None
        if first is None or first.cue is None or first.cue.style != "colon":
            return None
        title = first.cue.label.partition(",")[2] if "," in first.cue.label else None
        return _cue_name(first) if title is None or is_journalist_title(title) else None

    @staticmethod
    def _may_toss(paragraph: _Paragraph) -> bool:
        """Only the studio tosses: uncued words, or a journalist's (a title says so)."""
        cue = paragraph.cue
        if cue is None:
            return True
        title = cue.label.partition(",")[2] if "," in cue.label else None
        return not cue.guest and is_journalist_title(title)

    def _credit(self, signoff, lead):
        outlet, dateline = super()._credit(signoff, lead)
        if self.correspondent is None and self.field_reporter is not None:
            self.correspondent = self.field_reporter
            self._hear(self.correspondent)
        if self.correspondent:
            self.journalists.add(name_key(self.correspondent))
        return outlet, dateline

    def read(self):
        """Read; without a sign-off or a toss, the first field reporter is the correspondent.

        Who that is shows only once the cues are read (`ELENA MARSH, WNX CORRESPONDENT`),
        so such a transcript is read a second time knowing it. Credits come from the
        segments as read, so the text written back from them gives the same credits.
        """
        parse = super().read()
        if parse.correspondent is None and self.field_reporter is None:
            reporter = next(
                (
                    s.speaker
                    for s in parse.segments
                    if s.speaker
                    and _is_field_title(s.speaker_title)
                    and name_key(s.speaker) not in self.guests
                ),
                None,
            )
            if reporter is not None:
                header, paragraphs, times, warnings = self._source
                again = NameColonReader(header, paragraphs, times, list(warnings))
                again.field_reporter = reporter
                return again.read()
        if parse.outlet is None:  # "WNX ANCHOR", "CNN CORRESPONDENT": the outlet in a caption
            parse.outlet = next(
                (
                    word
                    for segment in parse.segments
                    if _is_journalist_title(segment.speaker_title)
                    for word in segment.speaker_title.split()
                    if _OUTLET.fullmatch(word) and not is_journalist_title(word)
                ),
                None,
            )
        return parse

    # People

    def _identify(self, cue: Cue, line: int) -> Who:
        who = self._who(cue, line)
        if who.speaker is not None:
            self.last = who
            if cue.guest:
                self.guests.add(name_key(who.speaker))
            elif _is_journalist_title(who.title) and name_key(who.speaker) not in self.guests:
                self.journalists.add(name_key(who.speaker))
        return who

    def _who(self, cue: Cue, line: int) -> Who:
        label = cue.label
        if not label:  # a bare delivery note
            # `(on camera):` goes back to the correspondent after a bite in the package.
            if cue.qualifier in (ON_CAMERA, VOICE_OVER) and self.correspondent:
                return Who(self.correspondent, None, "context")
            if self.last is not None:
                return Who(self.last.speaker, None, self.last.basis, self.last.doubt)
            return Who(None, None, "", None)
        upper = label.upper()
        if upper in FLOOR or upper in _ANNOUNCERS or upper in _STUDIO_ROLES:
            return Who(None, label, "")
        if upper in _FIELD_ROLES:  # `Reporter:`: the correspondent, once the text names one
            return (
                Who(self.correspondent, label, "context")
                if self.correspondent
                else Who(None, label, "")
            )
        if _INITIALS.fullmatch(label) and (full := self._initials_of(label)):
            return Who(full, None, "initials")
        if match := _INITIAL_AND_SURNAME.fullmatch(label):
            initial, surname = match.group("initial"), name_key(match.group("surname"))
            heard = [
                person
                for person in self.heard
                if surname_key(person) == surname and person[0].upper() == initial
            ]
            if len(heard) == 1:
                return Who(heard[0], None, "surname")
        if who := self._honorific(label, line):
            return who
        if cue.mixed and " " not in label and (full := self._first_name_of(label)):
            return Who(full, None, "context")  # `Tavis:` after `Tavis Smiley:`
        who = super()._identify(cue, line)
        initials = cue.qualifier if cue.qualifier and _INITIALS.fullmatch(cue.qualifier) else None
        if initials and who.speaker and _initials(who.speaker) == initials:
            self.initials[initials] = who.speaker
        return who

    def _first_name_of(self, label: str) -> str | None:
        """The one full name heard whose first name `label` is."""
        key = name_key(label)
        matches = [person for person in self.heard if name_key(person).split()[0] == key]
        return matches[0] if len(matches) == 1 else None

    def _initials_of(self, label: str) -> str | None:
        if label in self.initials:
            return self.initials[label]
        matches = [person for person in self.heard if _initials(person) == label]
        return matches[-1] if len(matches) == 1 else None

    def _honorific(self, label: str, line: int) -> Who | None:
        if any(comma in label for comma in COMMAS):
            return None
        words = label.split()
        rank = 0
        while rank < len(words) - 1 and words[rank].upper() in _RANK_PREFIXES:
            rank += 1
        if len(words) - rank != 2:
            return None
        honorific = words[rank].upper()
        if honorific not in _COURTESY and honorific not in _RANKS:
            return None
        title = None if honorific in _COURTESY else " ".join(words[: rank + 1])
        surname = words[-1]
        key = name_key(surname)
        heard = [person for person in self.heard if surname_key(person) == key]
        if heard:
            return Who(heard[-1], title, "surname")
        natural = self.names.natural_case(surname)
        if full := self.names.full_name_ending_with(natural):
            full = self.names.natural_case(full)
            self._hear(full)
            return Who(full, title, "surname")
        return Who(
            name_case(surname) if surname.isupper() else surname,
            title,
            "guess",
            f"the text gives no full name for {label!r}",
        )

    def _lone_name(self, natural: str, line: int) -> tuple[str, str]:
        self._guessed = f"{natural!r} is a surname or initials the text never gives in full"
        return natural, "guess"

    def _may_introduce(self, who: Who) -> bool:
        """A journalist, or a name cued plainly; never a briefer (`MR HALVERSON:`)."""
        if who.speaker is None:
            return (who.title or "").upper() in _STUDIO_ROLES  # `Anchor:` opens the intro
        if who.doubt is not None:
            return False
        return _is_journalist_title(who.title) or (who.title is None and who.basis == "cue")

    # Kinds

    def _is_journalist(self, who: Who) -> bool:
        if who.speaker is not None and name_key(who.speaker) in self.guests:
            return False
        return who.speaker is not None and (
            _is_journalist_title(who.title)
            or name_key(who.speaker) in self.journalists
            or (self.anchor is not None and who.speaker == self.anchor)
            or self._is_the_outlets(who.title)
        )

    def _is_the_outlets(self, title: str | None) -> bool:
        """`CNN METEOROLOGIST` where the anchors are `CNN ANCHOR`: one of the outlet's own."""
        words = (title or "").split()
        return bool(words) and words[0] in self.outlet_calls

    def _kind(self, cue: Cue, who: Who) -> str:
        if who.speaker is None and who.title and who.title.upper() in _ANNOUNCERS | _ROLES:
            return "narration"
        if not self._is_journalist(who):
            if cue.qualifier == VOICE_OVER and who.speaker is not None:
                return "narration"
            return "soundbite"
        if cue.qualifier == ON_CAMERA and (
            self._is_correspondent(who.speaker) or _is_field_title(who.title)
        ):
            return "standup"
        return "narration"


def _initials(name: str) -> str:
    return "".join(word[0] for word in name.replace("-", " ").split() if word[0].isalpha()).upper()
