"""Portable backups: the archive, its users and groups as natural-key JSON.

The file holds no row ids, so it restores into any empty database, SQLite or
PostgreSQL, whichever it came from. It is read inside one snapshot, so a
backup taken while editors save and imports run is consistent: every report
with all of its segments and quotes, as of one moment.
"""

import gzip
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.db import IntegrityError, connection, transaction

from .models import Correction, Organization, Programme, Quote, Report, Segment, Speaker, Topic

# Written in this format, read back by loaddata as plain "json".
BACKUP_FORMAT = "json-exact"
serializers.register_serializer(BACKUP_FORMAT, "archive.backup_json")

# What a backup holds. Admin history, edit history (reversion), sessions and
# login-attempt records refer to row ids or are transient: they are left out.
ARCHIVE_MODELS = [Organization, Topic, Speaker, Programme, Report, Segment, Quote, Correction]


def backup_objects():
    """Every object a backup holds, in loading order, each with the rows its
    natural keys name fetched alongside (dumpdata would query once per row)."""
    querysets = [
        Group.objects.prefetch_related("permissions__content_type"),
        get_user_model().objects.prefetch_related("groups", "user_permissions__content_type"),
        Organization.objects.all(),
        Topic.objects.all(),
        Speaker.objects.select_related("organization"),
        Programme.objects.select_related("outlet"),
        Report.objects.select_related("outlet", "correspondent", "programme").prefetch_related(
            "topics"
        ),
        Segment.objects.select_related("report", "speaker"),
        Quote.objects.select_related("segment__report", "speaker"),
        Correction.objects.select_related("report"),
    ]
    for queryset in querysets:
        yield from queryset.order_by("pk").iterator(chunk_size=2000)


class DatabaseNotEmpty(Exception):
    pass


class UnreadableBackup(Exception):
    pass


@contextmanager
def snapshot():
    """Run the block's reads against one consistent view of the database."""
    if connection.in_atomic_block:
        # Already inside a transaction (a test, a caller's atomic): it is the snapshot.
        yield
        return
    if connection.vendor == "sqlite":
        # A deferred read transaction: in WAL mode it sees one snapshot and
        # blocks no writer. (atomic() would BEGIN IMMEDIATE and take the write lock.)
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
            try:
                yield
            finally:
                cursor.execute("COMMIT")
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def counts():
    return {model._meta.verbose_name_plural: model.objects.count() for model in ARCHIVE_MODELS} | {
        "users": get_user_model().objects.count()
    }


def backup(path):
    """Write a consistent backup to ``path`` (.json, or .json.gz to compress); return counts.

    The file appears only when complete (written aside, then renamed), and is
    readable by its owner only: it holds the users' password hashes.
    """
    path = Path(path)
    # Same folder (so the rename is atomic), same extensions (loaddata reads by them).
    fd, partial = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix="".join(path.suffixes)
    )
    os.close(fd)
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with snapshot(), opener(partial, "wt", encoding="utf-8") as stream:
            serializers.serialize(
                BACKUP_FORMAT,
                backup_objects(),
                stream=stream,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
            )
            written = counts()  # still inside the snapshot
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return written


def restore(path):
    """Load a backup into an empty database, all or nothing; return counts."""
    held = {name: n for name, n in counts().items() if n}
    if held:
        listed = ", ".join(f"{n} {name}" for name, n in held.items())
        raise DatabaseNotEmpty(f"the database is not empty ({listed}); restore into a new one")
    try:
        with transaction.atomic():
            call_command("loaddata", str(path), verbosity=0)
    except (DeserializationError, IntegrityError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise UnreadableBackup(f"not a backup this archive can restore: {first_line}") from error
    return counts()
