"""Who filed the report, for whom, from where: the sign-off and the intro's lead."""

import re
from dataclasses import dataclass

from .titles import words_of

_PARTICLES = frozenset(
    words_of("al bin da das de del della der di dos du el ibn la le of on sur ter van von y")
)
_KNOWN_OUTLETS = frozenset(
    name.casefold()
    for name in (
        "Al Jazeera",
        "Associated Press",
        "Bloomberg",
        "Euronews",
        "France 24",
        "Reuters",
        "Sky News",
    )
)
_SENTENCE_END = re.compile(r"[.!?…][\"”’»)]*\s+")
_MAX_SIGNOFF_CHARS = 200
_REPORTING = re.compile(
    r"\b(?:reports?|reporting|reported|has more|has the (?:story|details)|has this report"
    r"|sends this report|filed this report|takes a look|looks at|explains|joins us|is live"
    r"|narrates our report|begins our coverage|has our report|has the latest)\b",
    re.IGNORECASE,
)
_FROM_PLACE = re.compile(
    r"\b(?:reports?|reporting|has more|has the story|has this report|sends this report"
    r"|filed this report|joins us|is live|narrates our report)\s+(?:live\s+|now\s+)?"
    r"from\s+(?P<place>.+)",
    re.IGNORECASE,
)
_POSSESSIVE = re.compile(r"^(?P<owner>.+)['’]s$")
# "Here's Tom Avery reporting": contractions, not an outlet's possessive.
_NOT_OWNERS = frozenset(words_of("here there that it what who let he she"))
# "He is in Kyiv.": where the correspondent just named is.
_IS_IN = re.compile(r"\b(?:he|she|they)\s+(?:is|are)\s+(?:now\s+|live\s+)?in\s+(?P<place>.+)", re.I)
_LEAD_IN_WORDS = frozenset(
    words_of(
        "a an and as but here here's here’s meanwhile now our so the then this today tonight well"
    )
)


@dataclass(frozen=True)
class SignOff:
    name: str
    outlet: str
    place: str
    start: int  # where the sign-off begins in its paragraph


@dataclass(frozen=True)
class Lead:
    outlet: str | None = None
    correspondent: str | None = None
    dateline: str | None = None


def find_signoff(paragraph: str) -> SignOff | None:
    """`Name, CGTN, Place.` or `Name, for CGTN, Place.` ending `paragraph`."""
    paragraph = paragraph.rstrip()
    floor = len(paragraph) - _MAX_SIGNOFF_CHARS
    starts = [0] + [match.end() for match in _SENTENCE_END.finditer(paragraph)]
    for start in starts:
        if start < floor:
            continue
        if signoff := _read_signoff(paragraph[start:], start):
            return signoff
    return None


def _read_signoff(sentence: str, start: int) -> SignOff | None:
    parts = sentence.removesuffix(".").split(",")
    if not 3 <= len(parts) <= 4:
        return None
    name, outlet = parts[0].strip(), parts[1].strip()
    if outlet[:4].casefold() == "for ":
        outlet = outlet[4:].strip()
    places = [part.strip() for part in parts[2:]]
    # A full stop in a name is an initial's (J. or St.), never the end of a sentence.
    initials_only = all(len(word) <= 3 for word in name.split() if "." in word)
    if not (initials_only and _is_proper_name(name, 5) and _is_outlet(outlet)):
        return None
    if not all(_is_proper_name(place, 6) for place in places):
        return None
    return SignOff(" ".join(name.split()), outlet, ", ".join(places), start)


def _is_proper_name(text: str, most_words: int) -> bool:
    words = text.split()
    if not 1 <= len(words) <= most_words:
        return False
    for position, word in enumerate(words):
        if not all(char.isalpha() or char in "'’-.‐" for char in word):
            return False
        if not word[0].isalpha():
            return False
        inner = 0 < position < len(words) - 1
        if word[0].islower() and not (inner and word.casefold() in _PARTICLES):
            return False
    return True


def _is_outlet(outlet: str) -> bool:
    words = outlet.split()
    if not 1 <= len(words) <= 4:
        return False
    if outlet.casefold() in _KNOWN_OUTLETS:
        return True
    first = words[0]
    letters = [char for char in first if char.isalpha()]
    acronym = len(letters) >= 2 and not any(char.islower() for char in letters)
    return acronym and all(word[0].isupper() or word[0].isdigit() for word in words)


def read_lead(intro: str) -> Lead:
    """The outlet, correspondent and dateline an intro names: "CGTN's X reports from Y."."""
    sentences = [s for s in re.split(r"(?<=[.!?…])[\"”’]?\s+", intro) if s]
    for index in range(len(sentences) - 1, -1, -1):
        sentence = sentences[index]
        if not _REPORTING.search(sentence):
            continue
        outlet, correspondent = _reporter_named_in(sentence)
        if correspondent:
            dateline = _dateline_in(sentence)
            for following in sentences[index + 1 : index + 3]:
                if dateline is None and (match := _IS_IN.search(following)):
                    dateline = _name_from(match.group("place").split())
            return Lead(outlet, correspondent, dateline)
    return Lead()


def _reporter_named_in(sentence: str) -> tuple[str | None, str | None]:
    words = sentence.split()
    for index, word in enumerate(words):
        possessive = _POSSESSIVE.match(word)
        name = _name_from(words[index + 1 :])
        if (
            possessive
            and possessive.group("owner")[0].isupper()
            and possessive.group("owner").casefold() not in _NOT_OWNERS
            and name
        ):
            return possessive.group("owner"), name
    for index, word in enumerate(words):
        name = _name_from(words[index + 1 :])
        if word.casefold() in ("correspondent", "reporter") and name:
            return None, name
    reporting = _REPORTING.search(sentence)
    if reporting:
        before = sentence[: reporting.start()].split()
        taken: list[str] = []
        for word in reversed(before):
            if not _capitalized_word(word) or word[-1] in ",;:":
                break
            taken.insert(0, word)
        while taken and taken[0].casefold() in _LEAD_IN_WORDS:
            taken.pop(0)
        if 2 <= len(taken) <= 4:
            return None, " ".join(taken)
    return None, None


def _name_from(words: list[str]) -> str | None:
    taken: list[str] = []
    for word in words[:5]:
        stripped = word.rstrip(",.;:!?")
        if not stripped:
            break
        particle = bool(taken) and stripped.casefold() in _PARTICLES
        if not (_capitalized_word(stripped) or particle):
            break
        taken.append(stripped)
        if stripped != word:
            break
    while taken and taken[-1].casefold() in _PARTICLES:
        taken.pop()
    return " ".join(taken) if taken else None


def _dateline_in(sentence: str) -> str | None:
    match = _FROM_PLACE.search(sentence)
    if not match:
        return None
    return _name_from(match.group("place").split())


def _capitalized_word(word: str) -> bool:
    """A word that may be part of a name: a capital first, then letters, ' - . only."""
    return (
        bool(word)
        and word[0].isalpha()
        and word[0].isupper()
        and all(char.isalpha() or char in "'’-.‐" for char in word.rstrip(",.;:!?"))
    )
