"""One identity per person: aliases, name matching, merge and its undo, duplicate suggestions,
authority ids.

names.py        the keys a name is matched by (folded name, initial and surname), Wikidata ids
models.py       aliases (other spellings, and the ids of speakers merged away), merges as
                revisions, dismissed duplicate suggestions
matching.py     finding a speaker by any spelling: the importer, the desk's search, reverts
merging.py      merging speakers into one (a django-reversion revision) and undoing it
duplicates.py   likely duplicates for the desk, by indexed keys (no pairwise comparison)
titles.py       a speaker's titles over time, as broadcast (the public speaker page)

The models live in the ``archive`` app (imported by archive/models.py).
"""
