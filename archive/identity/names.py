"""The keys a speaker's name is matched by, and the shape of an authority identifier.

Pure functions and two computed model fields; no database access, so
archive/models.py can import this module.
"""

import re

from django.core.validators import RegexValidator
from django.db import models

WIKIDATA_ID = RegexValidator(
    r"^Q[1-9][0-9]*\Z", "A Wikidata identifier is Q followed by a number, such as Q42."
)
WIKIDATA_URL = "https://www.wikidata.org/wiki/{}"

_WORD = re.compile(r"\w+")


def folded(name):
    """The name as matched: case, accents and strokes folded ("Łukasz" → "lukasz").

    The same key as ``Speaker.sort_name`` (archive/collation.py), so the
    speakers' sort index answers a lookup by it.
    """
    from ..collation import name_sort_key

    return name_sort_key(name)


def _words(name):
    from ..search import fold

    return _WORD.findall(fold(name))


def initial_key(name):
    """Initial of the first name and the surname, folded: "Łukasz Wójtowski" → "l wojtowski".

    Empty for a name of one word, which has no surname to go by.
    """
    words = _words(name)
    if len(words) < 2:
        return ""
    return f"{words[0][0]} {words[-1]}"[:200]


def is_abbreviated(name):
    """Whether the first name is an initial alone ("Ł. Wójtowski", "J.-L. Mélenchon")."""
    words = _words(name)
    return len(words) >= 2 and len(words[0]) == 1


class InitialKeyField(models.CharField):
    """``initial_key`` of the model's ``name``, set on every save and ``bulk_create``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_default", "")  # rows inserted by raw SQL get a key once saved
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = initial_key(model_instance.name)
        setattr(model_instance, self.attname, value)
        return value


class AbbreviatedNameField(models.BooleanField):
    """``is_abbreviated`` of the model's ``name``, set on every save and ``bulk_create``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", False)
        kwargs.setdefault("db_default", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = is_abbreviated(model_instance.name)
        setattr(model_instance, self.attname, value)
        return value


def check_wikidata_id(value):
    """Model validation of ``Speaker.authority_id``: blank, or the shape of a Q-number."""
    if value:
        WIKIDATA_ID(value)
