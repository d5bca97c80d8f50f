"""Names in the order a reader of their language expects (Łukasz among the Ls),
and the one folding of letters that search and sorting share.

The database's own byte order puts every letter outside ASCII after ``z``.
Speakers carry ``sort_name``, their name folded (lower case, accents and
strokes removed: "Łukasz Wójtowski" → "lukasz wojtowski"), set on every save
and indexed, so a list sorts by it on SQLite and PostgreSQL alike at the cost
of an index walk. Small lists (topics) sort by the same key in Python.

This puts Latin letters with diacritics beside their base letter and keeps
Cyrillic, Greek and other alphabets in their own alphabetical order. It is not
a full locale collation (no Swedish "ä after z"), which would need ICU on
SQLite (PyICU, a heavy native dependency) for little gain in a mixed archive.

Removing accents (Unicode decomposition) leaves some letters as they are: they
have no decomposition. :data:`UNDECOMPOSED_LETTERS` spells them as readers type
them, as PostgreSQL's ``unaccent`` does, so "Lukasz" finds "Łukasz", "Orsted"
"Ørsted" and "Strasse" "Straße" on either database: SQLite's FTS5 index stores
text through :func:`sqlite_fold_letters` and its queries go through
:func:`fold_letters`.
"""

import unicodedata
from functools import lru_cache

UNDECOMPOSED_LETTERS = {
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
    "ħ": "h", "Ħ": "H", "ı": "i", "ŀ": "l", "Ŀ": "L", "ŧ": "t", "Ŧ": "T",
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH",
}  # fmt: skip
_SPELLED_OUT = str.maketrans(UNDECOMPOSED_LETTERS)
_ONE_FOR_ONE = str.maketrans(
    {letter: spelled for letter, spelled in UNDECOMPOSED_LETTERS.items() if len(spelled) == 1}
)
# Lower-case letters that fold to two ("ß" → "ss"): a highlighter that keeps offsets
# must accept either spelling in the text.
TWO_LETTER_FOLDS = {
    spelled: letter
    for letter, spelled in UNDECOMPOSED_LETTERS.items()
    if len(spelled) > 1 and letter.islower()
}


def fold_letters(text):
    """Spell out the letters that have no decomposition: "Łukasz Straße" → "Lukasz Strasse"."""
    return text.translate(_SPELLED_OUT)


def sqlite_fold_letters(expression):
    """The SQL of :func:`fold_letters` applied to ``expression`` (nested ``replace()``).

    Plain SQL, so the search index's triggers need no function registered by
    Python: any client writing to the database keeps the index right.
    """
    for letter, spelled in UNDECOMPOSED_LETTERS.items():
        expression = f"replace({expression}, '{letter}', '{spelled}')"
    return expression


def fold(text):
    """Lower case without accents, one character for one: "Wójtowski" → "wojtowski".

    Keeping the length lets a match found in the folded text be marked in the
    original at the same offsets; letters that fold to two ("ß") stay as they are.
    """
    if text.isascii():
        return text.lower()  # most text: no accent to remove, and ten times faster
    out = []
    for char in text.translate(_ONE_FOR_ONE):
        base = unicodedata.normalize("NFD", char)[0].lower()
        out.append(base if len(base) == 1 else char)
    return "".join(out)


def name_sort_key(name):
    return fold(fold_letters(name))[:200]


@lru_cache(maxsize=10_000)
def name_key(name):
    """For sorting in Python: (the folded name, the name), so equal folds keep a fixed order."""
    return (name_sort_key(name), name)


SPEAKER_ORDER = ("sort_name", "name", "pk")
