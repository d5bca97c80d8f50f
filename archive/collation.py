"""Names in the order a reader of their language expects: Łukasz among the Ls.

The database's own byte order puts every letter outside ASCII after ``z``.
PostgreSQL sorts with ICU's root collation (``und-x-icu``, built into the
Debian and official packages); SQLite with a collation registered on each
connection that compares the accent-folded name first, then the name itself
(so ``Lukas`` and ``Łukas`` keep a fixed order). Latin, Cyrillic, Greek and
other alphabetic scripts sort correctly; this is not a full locale collation
(no Swedish "ä after z"), which would need ICU on SQLite too (PyICU, heavy).
"""

from functools import lru_cache

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

SQLITE_COLLATION = "archive_name"
POSTGRES_COLLATION = "und-x-icu"


@lru_cache(maxsize=50_000)
def name_key(name):
    """(the name folded, the name): cached, as a sort compares each name many times."""
    from .search import fold

    return (fold(name), name)


def _compare(left, right):
    left, right = name_key(left), name_key(right)
    return (left > right) - (left < right)


def register_sqlite_collation(sender, connection, **kwargs):
    """connection_created: every SQLite connection knows the collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(SQLITE_COLLATION, _compare)


def name_order(field="name"):
    """``order_by()`` arguments: the name in reading order, then the primary key."""
    collation = POSTGRES_COLLATION if connection.vendor == "postgresql" else SQLITE_COLLATION
    return (Collate(F(field), collation), "pk")
