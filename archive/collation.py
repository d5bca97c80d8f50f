"""Names in the order a reader of their language expects: Łukasz among the Ls.

The database's own byte order puts every letter outside ASCII after ``z``.
Speakers carry ``sort_name``, their name folded (lower case, accents and
strokes removed: "Łukasz Wójtowski" → "lukasz wojtowski"), set on every save
and indexed, so a list sorts by it on SQLite and PostgreSQL alike at the cost
of an index walk. Small lists (topics) sort by the same key in Python.

This puts Latin letters with diacritics beside their base letter and keeps
Cyrillic, Greek and other alphabets in their own alphabetical order. It is not
a full locale collation (no Swedish "ä after z"), which would need ICU on
SQLite (PyICU, a heavy native dependency) for little gain in a mixed archive.
"""

from functools import lru_cache


def name_sort_key(name):
    from .search import fold

    return fold(name)[:200]


@lru_cache(maxsize=10_000)
def name_key(name):
    """For sorting in Python: (the folded name, the name), so equal folds keep a fixed order."""
    return (name_sort_key(name), name)


SPEAKER_ORDER = ("sort_name", "name", "pk")
