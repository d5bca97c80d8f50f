"""A page cache for the public site that is correct by construction.

A cached page is served only when nothing it could show has changed, which
the database itself tells us in one indexed query per request:

- **Writes.** Triggers on every table a public page reads bump the one row
  of ``archive_changecounter`` (created by migration 0004). They
  fire for the ORM, ``bulk_create``, ``QuerySet.update``, raw SQL, the
  importer's ``executemany`` and other processes or servers alike, and the
  bump commits in the same transaction as the write: a request that reads
  the new value sees the new data.
- **Time.** A scheduled report goes public with no write at all. The key
  holds the earliest publication time still in the future; once that time
  passes, the same query returns the next one, and so a new key.
- **The calendar.** Citations print the day they were accessed: the date is
  in the key too.

So the key is (counter, next scheduled time, today, absolute URL). A stale
entry is never served: it just stops being asked for and ages out of the
cache. The cache may be per process (``LocMemCache``): every worker and
every server reads the same counter.

What is never cached: anything but GET; signed-in users (staff previews);
requests inside an open transaction (the page could show writes that are not
committed yet, and PostgreSQL bumps the counter only at commit); responses
other than 200, streaming responses and responses that set a cookie; a page
rendered while a scheduled time or midnight passed.
"""

import functools
import hashlib
from datetime import UTC

from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

CACHE_ALIAS = "public_pages"

# Every table whose rows a public page can show.
TRACKED_TABLES = [
    "archive_report",
    "archive_report_topics",
    "archive_segment",
    "archive_quote",
    "archive_speaker",
    "archive_topic",
    "archive_organization",
    "archive_programme",
    "archive_correction",
]

COUNTER_TABLE = "archive_change_counter"
# A counter re-created after a flush starts at a random value, so it does not
# meet the keys of pages cached before the flush.
_SQLITE_BUMP = (
    f"INSERT INTO {COUNTER_TABLE} (id, value) VALUES (1, abs(random() % 1000000000000)) "
    "ON CONFLICT (id) DO UPDATE SET value = value + 1;"
)
SQLITE_TRIGGERS = {
    f"archive_change_{table}_{event.lower()}": (
        f"CREATE TRIGGER IF NOT EXISTS archive_change_{table}_{event.lower()} "
        f"AFTER {event} ON {table} BEGIN {_SQLITE_BUMP} END"
    )
    for table in TRACKED_TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
}

# PostgreSQL: deferred constraint triggers bump the counter at commit, once per
# transaction. Bumping at the first write instead would hold the counter's row
# lock for the whole transaction, and two editors saving the same report could
# deadlock on it.
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION archive_bump_change_counter() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {COUNTER_TABLE} SET value = value + 1, transaction_id = txid_current()
    WHERE id = 1 AND transaction_id IS DISTINCT FROM txid_current();
    IF NOT FOUND AND NOT EXISTS (SELECT 1 FROM {COUNTER_TABLE} WHERE id = 1) THEN
        INSERT INTO {COUNTER_TABLE} (id, value, transaction_id)
        VALUES (1, floor(random() * 1e12)::bigint, txid_current())
        ON CONFLICT (id) DO NOTHING;
    END IF;
    RETURN NULL;
END $$
"""


def _postgres_triggers(table):
    return [
        f"DROP TRIGGER IF EXISTS archive_change ON {table}",
        f"CREATE CONSTRAINT TRIGGER archive_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION archive_bump_change_counter()",
        f"DROP TRIGGER IF EXISTS archive_change_truncate ON {table}",
        f"CREATE TRIGGER archive_change_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION archive_bump_change_counter()",
    ]


def create_counter_table(conn):
    with conn.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {COUNTER_TABLE} "
            "(id integer PRIMARY KEY, value bigint NOT NULL, transaction_id bigint NULL)"
        )


def drop_counter_table(conn):
    with conn.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COUNTER_TABLE}")


def install_triggers(conn):
    """Create the counter's row and the triggers that bump it; idempotent.

    A tracked table that a later migration creates gets its triggers from the
    post_migrate run of this function (see :func:`ensure_triggers_after_migrate`).
    """
    with conn.cursor() as cursor:
        existing = set(conn.introspection.table_names(cursor))
        if conn.vendor == "sqlite":
            for name, statement in SQLITE_TRIGGERS.items():
                if _trigger_table(name) in existing:
                    cursor.execute(statement)
            cursor.execute(f"INSERT OR IGNORE INTO {COUNTER_TABLE} (id, value) VALUES (1, 1)")
        elif conn.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
            for table in (table for table in TRACKED_TABLES if table in existing):
                for statement in _postgres_triggers(table):
                    cursor.execute(statement)
            cursor.execute(
                f"INSERT INTO {COUNTER_TABLE} (id, value) VALUES (1, 1) ON CONFLICT (id) DO NOTHING"
            )


def _trigger_table(name):
    return name.removeprefix("archive_change_").rsplit("_", 1)[0]


def drop_sqlite_triggers(cursor):
    """For bulk loads (the benchmark): load, then :func:`install_triggers` again."""
    for name in SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def uninstall_triggers(conn):
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            drop_sqlite_triggers(cursor)
        elif conn.vendor == "postgresql":
            for table in TRACKED_TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS archive_change ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS archive_change_truncate ON {table}")
            cursor.execute("DROP FUNCTION IF EXISTS archive_bump_change_counter()")


def ensure_triggers_after_migrate(sender, using="default", **kwargs):
    """post_migrate: SQLite drops a table's triggers when a migration rebuilds it."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    conn = connections[using]
    recorder = MigrationRecorder(conn)
    if recorder.has_table() and ("archive", MIGRATION) in recorder.applied_migrations():
        install_triggers(conn)


MIGRATION = "0004_perf_change_counter"


# --- the page cache ---------------------------------------------------------------


def data_version(now):
    """(counter, earliest future publication time or None), in one query.

    None when the counter's row is missing (a flushed database, until the
    next write re-creates it): then nothing is cached.
    """
    from .models import Report

    scheduled = Report.objects.scheduled(now=now).order_by("published_at")
    scheduled_sql, params = scheduled.values("published_at")[:1].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value, ({scheduled_sql}) FROM {COUNTER_TABLE} WHERE id = 1", params)
        row = cursor.fetchone()
    if row is None:
        return None
    counter, next_publication = row
    if isinstance(next_publication, str):  # SQLite: text or a naive datetime, in UTC
        next_publication = parse_datetime(next_publication)
    if next_publication is not None and timezone.is_naive(next_publication):
        next_publication = next_publication.replace(tzinfo=UTC)
    return counter, next_publication


def _may_cache(request):
    if request.method != "GET" or connection.in_atomic_block:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def _cacheable(response):
    return response.status_code == 200 and not response.streaming and not response.cookies


def _freeze(response):
    return response.status_code, response.content, list(response.items())


def _thaw(frozen):
    status, content, headers = frozen
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response[name] = value
    return response


def cache_public_page(view):
    """Serve ``view`` from the page cache when nothing it shows can have changed."""

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        if not _may_cache(request):
            return view(request, *args, **kwargs)
        started = timezone.now()
        version = data_version(started)
        if version is None:
            return view(request, *args, **kwargs)
        counter, next_publication = version
        today = timezone.localdate(started)
        url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        scheduled = next_publication.isoformat() if next_publication else "-"
        key = f"archive:page:{counter}:{scheduled}:{today.isoformat()}:{url}"
        page_cache = caches[CACHE_ALIAS]
        frozen = page_cache.get(key)
        if frozen is not None:
            return _thaw(frozen)
        response = view(request, *args, **kwargs)
        if isinstance(response, SimpleTemplateResponse):
            response.render()
        finished = timezone.now()
        # The page was rendered with the clock of its queries: if a scheduled
        # report went live (or the day turned) meanwhile, it may not match its key.
        clock_moved = (next_publication is not None and finished >= next_publication) or (
            timezone.localdate(finished) != today
        )
        if _cacheable(response) and not clock_moved:
            page_cache.set(key, _freeze(response))
        return response

    return cached_view
