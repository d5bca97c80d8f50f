"""Cues: the upper-case labels that say who speaks a paragraph."""

import re
import unicodedata
from dataclasses import dataclass

from .names import name_key

OPENING_QUOTES = '"“„«「『'
CLOSING_QUOTES = '"”“»」』'
COMMAS = ",，、"
_CUE_PUNCTUATION = frozenset(",.'’‘-‐–&/·，、")
# An ASCII label is a cue label exactly when it is made of these (see label_shape).
_ASCII_CUE_LABEL = re.compile(r"[A-Z0-9\s,.'&/-]*")
_MAX_CUE_CHARS = 200
_MAX_CUE_WORDS = 25
# A label in a script without letter case is taken only in these tight shapes, as nothing
# else tells it from ordinary words.
_MAX_CASELESS_LABEL_CHARS = 30
_MAX_CASELESS_LABEL_WORDS = 4

VOICE_OVER = "voice-over"
ON_CAMERA = "on camera"
_QUALIFIERS = {
    "voiceover": VOICE_OVER,
    "vo": VOICE_OVER,
    "v/o": VOICE_OVER,
    "oncamera": ON_CAMERA,
    "oc": ON_CAMERA,
}


@dataclass(frozen=True)
class Cue:
    label: str  # NAME, TITLE in capitals, spaces collapsed, qualifier removed
    text: str  # the spoken words after the cue
    style: str  # "quote" (NAME "...") or "colon" (NAME: ...)
    qualifier: str | None = None  # VOICE_OVER, ON_CAMERA, other words in parentheses
    closed: bool = True  # a quote-style cue's closing quotation mark was found
    mixed: bool = False  # written in mixed case (`Carla Benning:`), as some styles do
    guest: bool = False  # in a shape only a programme's guests get (`Mr. NAME (Title):`)


def read_direction(paragraph: str) -> str | None:
    """The words of a paragraph that is one parenthesised stage direction."""
    if not (paragraph.startswith("(") and paragraph.endswith(")")):
        return None
    depth = 0
    for index, char in enumerate(paragraph):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and index != len(paragraph) - 1:
                return None
    inner = paragraph[1:-1].strip()
    return inner or None


def read_cue(paragraph: str) -> Cue | None:
    """The cue a paragraph opens with: `NAME, TITLE "..."` or `NAME, TITLE (qualifier): ...`."""
    quote = min((i for char in OPENING_QUOTES if (i := paragraph.find(char)) != -1), default=None)
    colon = first_colon(paragraph)
    if quote is not None and (colon is None or quote < colon):
        return _quote_cue(paragraph, quote)
    if colon is not None:
        return _colon_cue(paragraph, colon)
    return None


def first_colon(paragraph: str) -> int | None:
    """The colon that may end a cue: a full-width one, or one before a space or the end."""
    head = paragraph[: _MAX_CUE_CHARS + 40]
    colon, wide = head.find(":"), head.find("：")
    if wide != -1 and (colon == -1 or wide < colon):
        return wide
    if colon == -1:
        return None
    following = paragraph[colon + 1 : colon + 2]
    return colon if not following or following.isspace() else None


def _quote_cue(paragraph: str, quote: int) -> Cue | None:
    label, qualifier = split_qualifier(paragraph[:quote])
    label = label.rstrip(" ,，、")
    shape = label_shape(label)
    if shape is None or (shape == "caseless" and not _has_comma_between_parts(label)):
        return None
    body = paragraph[quote + 1 :].strip()
    closed = bool(body) and body[-1] in CLOSING_QUOTES
    if closed:
        body = body[:-1].strip()
    elif not (any(comma in label for comma in COMMAS) or len(label.split()) >= 2):
        return None
    return Cue(collapse(label), body, "quote", qualifier_of(qualifier), closed)


def _colon_cue(paragraph: str, colon: int) -> Cue | None:
    label, qualifier = split_qualifier(paragraph[:colon])
    label = label.rstrip(" ,，、")
    shape = label_shape(label)
    if shape is None:
        return None
    if shape == "caseless" and (
        len(label) > _MAX_CASELESS_LABEL_CHARS or len(label.split()) > _MAX_CASELESS_LABEL_WORDS
    ):
        return None
    return Cue(collapse(label), paragraph[colon + 1 :].strip(), "colon", qualifier_of(qualifier))


def split_qualifier(label: str) -> tuple[str, str | None]:
    """`NAME, TITLE (voice-over)` -> (`NAME, TITLE`, `voice-over`)."""
    label = label.strip()
    if not label.endswith(")"):
        return label, None
    opening = label.rfind("(")
    inner = label[opening + 1 : -1]
    if opening <= 0 or "(" in inner or ")" in inner:
        return label, None
    return label[:opening].strip(), inner.strip()


def qualifier_of(words: str | None) -> str | None:
    if words is None:
        return None
    squeezed = "".join(char for char in words.casefold() if char.isalnum() or char == "/")
    return _QUALIFIERS.get(squeezed, " ".join(words.split()) or None)


def label_shape(label: str) -> str | None:
    """What kind of cue label `label` could be.

    "cased" for one in capitals, "caseless" for one in a script without letter case, None
    for anything that cannot be a cue (small letters, sentence punctuation, too long).
    """
    if not label or len(label) > _MAX_CUE_CHARS or not label[0].isalpha():
        return None
    if len(label.split()) > _MAX_CUE_WORDS:
        return None
    if _ends_a_sentence(label):
        return None
    if label.isascii():  # the loop below, for the common case; it starts with a letter
        return "cased" if _ASCII_CUE_LABEL.fullmatch(label) else None
    has_upper = False
    for char in label:
        if char.isalpha():
            if char.islower():
                return None
            has_upper = has_upper or char.isupper()
        elif not (
            char.isdigit()
            or char.isspace()
            or char in _CUE_PUNCTUATION
            or unicodedata.category(char) in ("Mn", "Mc")
        ):
            return None
    return "cased" if has_upper else "caseless"


def _ends_a_sentence(label: str) -> bool:
    """`WE WANT IT OPEN. AND NOW` holds a full stop after a word: a sentence, not a name.

    Initials (`K.`, `U.S.`) and the abbreviations of ranks and titles (`LT. GEN.`,
    `JR.`) end in a full stop too.
    """
    for word in label.split():
        stem = word.rstrip(",")
        if stem.endswith(".") and "." not in stem[:-1]:
            letters = stem[:-1]
            if len(letters) >= 3 and letters.upper() not in _ABBREVIATIONS:
                return True
    return False


_ABBREVIATIONS = frozenset(
    ("ADM", "ASST", "CAPT", "CDR", "CMDR", "COL", "CORP", "CPL", "DEPT", "GEN", "GOV", "INC",
     "LTD", "MAJ", "MRS", "MSGT", "PROF", "REP", "REV", "SEN", "SGT", "SUPT")
)  # fmt: skip


def _has_comma_between_parts(label: str) -> bool:
    for comma in COMMAS:
        name, found, title = label.partition(comma)
        if found and name.strip() and title.strip():
            return True
    return False


def collapse(text: str) -> str:
    return " ".join(text.split())


def read_bare_standup(paragraph: str, correspondent: str) -> tuple[str, str] | None:
    """`ALJOSA MILENKOVIC SKOLKOVO Russia needs ...`: a stand-up without quotation marks.

    Only the correspondent's own name opens one, so it is never mistaken for narration
    that begins with an acronym. Returns (place, text).
    """
    name = name_key(correspondent).split()
    opening = paragraph.split(maxsplit=1)
    if name and (not opening or name_key(opening[0]) != name[0]):
        return None  # the usual answer, without reading every word of the paragraph
    words = list(re.finditer(r"\S+", paragraph))
    if len(words) <= len(name) + 1:
        return None
    for cue_word, name_word in zip(words, name, strict=False):
        word = cue_word.group(0)
        if label_shape(word) != "cased" or name_key(word) != name_word:
            return None
    place = []
    for word in words[len(name) :]:
        if label_shape(word.group(0).rstrip(",")) != "cased":
            break
        place.append(word)
    # "I" and "A" belong to the stand-up, not to the place, when they end the run.
    while len(place) > 1 and place[-1].group(0) in ("I", "A"):
        place.pop()
    if not place or len(name) + len(place) >= len(words):
        return None
    text_start = words[len(name) + len(place)].start()
    return collapse(paragraph[words[len(name)].start() : place[-1].end()]), paragraph[text_start:]
