"""Portable backups: the archive, its users and groups as natural-key JSON.

The file holds no row ids, so it restores into any empty database, SQLite or
PostgreSQL, whichever it came from. It is read inside one snapshot, so a
backup taken while editors save and imports run is consistent: every report
with all of its segments and quotes, as of one moment.

A restore runs in one transaction: it checks each table's records (every
natural key resolves and names one row, every text can be stored), inserts
them with one ``executemany`` (loaddata saves row by row: 280 s for 110,000
segments), and counts every table against the file before it commits: all or
nothing, and nothing lost or merged.
"""

import datetime
import functools
import gzip
import json
import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from .identity.models import DuplicateDismissal, SpeakerAlias, SpeakerMerge
from .importer import _insert_rows as insert_rows
from .models import Correction, Organization, Programme, Quote, Report, Segment, Speaker, Topic

# Written in this format, read back by loaddata as plain "json".
BACKUP_FORMAT = "json-exact"
serializers.register_serializer(BACKUP_FORMAT, "archive.backup_json")

# What a backup holds. Admin history, edit history (reversion, and the speaker
# merges kept with it), sessions and login-attempt records refer to row ids or
# are transient: they are left out.
ARCHIVE_MODELS = [Organization, Topic, Speaker, Programme, Report, Segment, Quote, Correction]
ARCHIVE_MODELS += [SpeakerAlias, DuplicateDismissal]
EDIT_HISTORY = [SpeakerMerge]
# Row ids of rows that are gone: meaningless once restored under new ids.
OLD_ROW_IDS = {SpeakerAlias: {"merged_speaker_id"}}


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
        SpeakerAlias.objects.select_related("speaker"),
        DuplicateDismissal.objects.select_related("speaker", "other", "dismissed_by"),
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
    """Load a backup into an empty database, all or nothing; return counts.

    Raises UnreadableBackup, with one line, for a file that is not a backup,
    one that names a row it does not hold, holds two rows under one natural
    key, or holds what the database cannot store (a NUL, half a surrogate
    pair); nothing is written then.
    """
    held = {name: n for name, n in counts().items() if n}
    if held:
        listed = ", ".join(f"{n} {name}" for name, n in held.items())
        raise DatabaseNotEmpty(f"the database is not empty ({listed}); restore into a new one")
    entries = _read_backup(path)
    try:
        with transaction.atomic():
            _Restore(entries).run()
    except DatabaseError as error:
        raise UnreadableBackup(f"the database refused it: {_first_line(error)}") from error
    return counts()


def _first_line(error):
    return next(iter(str(error).strip().splitlines()), "") or type(error).__name__


def _refuse(reason):
    return UnreadableBackup(f"not a backup this archive can restore: {reason}")


def _read_backup(path):
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as stream:
            entries = json.load(stream)
    except (OSError, EOFError, UnicodeDecodeError, ValueError) as error:
        raise _refuse(_first_line(error)) from error
    if not isinstance(entries, list):
        raise _refuse("the file does not hold a list of records")
    return entries


def restore_order():
    """The models a backup holds, each after the ones its rows point to."""
    return [Group, get_user_model(), *ARCHIVE_MODELS]


@functools.cache
def key_fields(model):
    """The fields whose values, in order, make up a model's natural key."""
    if model is get_user_model():
        return [model.USERNAME_FIELD]
    return {
        Group: ["name"],
        Segment: ["report", "position"],
        Quote: ["segment", "text"],
        Correction: ["report", "corrected_on", "what_was_wrong"],
        SpeakerAlias: ["speaker", "name"],
        DuplicateDismissal: ["speaker", "other"],
    }.get(model, ["slug"])


def natural_key_from(model, fields):
    """The natural key a serialized row has, from its fields (related keys spliced in)."""
    key = []
    for name in key_fields(model):
        value = fields.get(name)
        if isinstance(value, datetime.date):  # a correction's day, as its natural key writes it
            value = value.isoformat()
        key.extend(value if isinstance(value, list | tuple) else [value])
    return tuple(key)


def _key_paths(model):
    """The lookups that read a model's natural key back from the database."""
    paths = []
    for name in key_fields(model):
        field = model._meta.get_field(name)
        if field.is_relation:
            paths.extend(f"{name}__{part}" for part in _key_paths(field.related_model))
        else:
            paths.append(name)
    return paths


# What the database cannot hold: NUL (PostgreSQL refuses it in text) and half a
# surrogate pair (not encodable in UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class _Where:
    """A record's name for a refusal ("quote ['slug', 3, 'text']"), made only when needed."""

    __slots__ = ("label", "key")

    def __init__(self, label, key):
        self.label, self.key = label, key

    def __str__(self):
        return f"{self.label} {list(self.key)}"


class _Restore:
    """One restore: checks each table's rows, inserts them, counts them back."""

    def __init__(self, entries):
        self.by_model = {model: [] for model in restore_order()}
        labels = {model._meta.label_lower: model for model in self.by_model}
        for number, entry in enumerate(entries, 1):
            if not (isinstance(entry, dict) and isinstance(entry.get("fields"), dict)):
                raise _refuse(f"record {number} is not a model record")
            model = labels.get(str(entry.get("model")).lower())
            if model is None:
                raise _refuse(f"record {number} is of an unknown model {entry.get('model')!r}")
            self.by_model[model].append(entry["fields"])
        self.keys = {Permission: self._permissions()}
        self.expected = {}  # model (or through model) -> rows it holds after the restore

    @staticmethod
    def _permissions():
        rows = Permission.objects.values_list(
            "codename", "content_type__app_label", "content_type__model", "pk"
        )
        return {tuple(row[:-1]): row[-1] for row in rows}

    def run(self):
        for model, rows in self.by_model.items():
            self._restore(model, rows)
        self._count()

    def _stored_keys(self, model):
        rows = model.objects.values_list(*_key_paths(model), "pk")
        return {tuple(row[:-1]): row[-1] for row in rows}

    def _restore(self, model, rows):
        label = model._meta.verbose_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        known = {f.name for f in fields} | {f.name for f in model._meta.many_to_many}
        # Only the groups a migration creates exist before the restore: those rows
        # are updated, as loaddata would (their permissions become the backup's).
        existing = self._stored_keys(model) if model is Group else {}
        seen, values, links = set(), [], []
        for row in rows:
            key = natural_key_from(model, row)
            where = _Where(label, key)
            if key in seen:
                raise _refuse(f"two records of {where}: restoring both would merge them into one")
            seen.add(key)
            if unknown := sorted(set(row) - known):
                raise _refuse(f"{where} has a field this database lacks ({unknown[0]}): migrate")
            value = {f.attname: self._value(f, row, where) for f in fields}
            if key in existing:
                model.objects.filter(pk=existing[key]).update(**value)
            else:
                values.append(value)
            links.append([self._related(f, row, where) for f in model._meta.many_to_many])
        insert_rows(model, values)
        self.expected[model] = len(existing.keys() | seen)
        if model not in (Quote, Correction):  # nothing points to them
            self.keys[model] = self._stored_keys(model)
        for index, field in enumerate(model._meta.many_to_many):
            targets = [related[index] for related in links]
            self._link(model, field, rows, targets, existing.values())

    def _value(self, field, row, where):
        if field.name not in row or field.name in OLD_ROW_IDS.get(field.model, ()):
            return field.get_default()  # a backup from before this field existed
        raw = row[field.name]
        if field.is_relation:
            return None if raw is None else self._resolve(field.related_model, raw, where)
        if isinstance(raw, str):
            if bad := _UNSTORABLE.search(raw):
                raise _refuse(
                    f"{where}: {field.name} holds U+{ord(bad.group()):04X}, "
                    "which no database can store"
                )
            if getattr(field, "max_length", None) and len(raw) > field.max_length:
                raise _refuse(f"{where}: {field.name} is longer than {field.max_length}")
        try:
            return field.to_python(raw)
        except ValidationError as error:
            raise _refuse(f"{where}: {field.name}: {' '.join(error.messages)}") from error

    def _resolve(self, model, key, where):
        try:
            return self.keys[model][tuple(key if isinstance(key, list | tuple) else [key])]
        except (KeyError, TypeError):
            raise _refuse(
                f"{where} names {model._meta.verbose_name} {key!r}, which the backup does not hold"
            ) from None

    def _related(self, field, row, where):
        keys = row.get(field.name) or []
        if not isinstance(keys, list):
            raise _refuse(f"{where}: {field.name} is not a list")
        return [self._resolve(field.related_model, key, where) for key in keys]

    def _link(self, model, field, rows, related, existing):
        through = field.remote_field.through
        own = self.keys[model]
        source, target = f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"
        links = []
        for row, targets in zip(rows, related, strict=True):
            pk = own[natural_key_from(model, row)]
            if len(set(targets)) != len(targets):
                raise _refuse(
                    f"{model._meta.verbose_name} {list(natural_key_from(model, row))} "
                    f"lists one of its {field.name} twice"
                )
            links.extend({source: pk, target: other} for other in targets)
        # The links of rows there before the restore (the groups) become the backup's.
        before = through.objects.count()
        deleted, _ = through.objects.filter(**{f"{source}__in": existing}).delete()
        insert_rows(through, links)
        self.expected[through] = before - deleted + len(links)

    def _count(self):
        """Every row of the file is in the database, before the commit."""
        for model, count in self.expected.items():
            stored = model.objects.count()
            if stored != count:
                name = model._meta.verbose_name_plural
                raise _refuse(f"{count} {name} in the file, {stored} would be restored")
