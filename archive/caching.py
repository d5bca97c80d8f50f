"""A page cache for the public site that is correct by construction.

A cached page is served only when nothing it could show has changed, which
the database itself tells us in one query of primary-key lookups per request:

- **Writes.** Triggers on every table a public page reads bump counters in
  ``archive_change_counter``, one row per *scope* of what a write can change.
  They fire for the ORM, ``bulk_create``, ``QuerySet.update``, raw SQL, the
  importer's ``executemany`` and other processes or servers alike, and the
  bump commits in the same transaction as the write: a request that reads
  the new value sees the new data.
- **Scopes.** ``all`` (speakers, topics, organizations: their names are on
  every page; its value is also the table's epoch), ``reports`` (the report
  rows and topic links of public, scheduled or once-public reports: every
  list), ``text`` (their segments and quotes: search, quotes, speakers) and
  ``report:<id>`` (anything of one report: its page, its quotes' pages, its
  citations). A write to a draft that never was published bumps nothing; an
  update that changes no column bumps nothing. Each page names the scopes it
  reads (:data:`PAGE_SCOPES`, by URL name), so an editor saving one report
  empties that report's pages and the lists, and every other report page
  stays cached.
- **Time.** A scheduled report goes public with no write at all. The key
  holds the earliest publication time still in the future (one index probe);
  once that time passes, the same query returns the next one, and so a new key.
- **The calendar.** Citations print the day they were accessed: the date is
  in the key too.

So the key is (the page's scope counters, next scheduled time, today,
absolute URL). A stale entry is never served: it just stops being asked for
and ages out of the cache. The cache may be per process (``LocMemCache``, the
default) or shared by every app server (``CACHE_URL=redis://...``): every
worker and every server reads the same counters, from the database the page
itself reads (the replica, when there is one), so a page is never stored
under a newer key than its data.

What is never cached: anything but GET; signed-in users (staff previews);
requests inside an open transaction (the page could show writes that are not
committed yet, and PostgreSQL bumps the counters only at commit); responses
other than 200, streaming responses and responses that set a cookie; a page
rendered while a scheduled time or midnight passed.
"""

import functools
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.core.cache import caches
from django.db import connections, router
from django.http import HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

CACHE_ALIAS = "public_pages"

COUNTER_TABLE = "archive_change_counter"
MIGRATION = "0012_scale_indexes_and_scoped_cache"
PUBLISHED = "published"

# Scopes: a page's key holds the counters of the scopes it reads.
ALL, REPORTS, TEXT = "all", "reports", "text"
# A counter's value is the time of its scope's last change, in microseconds since 1970
# (and one more than before, should the clock stand still or step back): the page's
# Last-Modified. "all" restarts at the present time, so old keys never match again.
# Values below TIMES_FROM (2001) were counted before counters were times: no time.
TIMES_FROM = 10**15

# Tables whose every write can show anywhere: bump "all".
SHARED_TABLES = [
    "archive_speaker",
    "archive_topic",
    "archive_organization",
    "archive_programme",
    "archive_correction",  # rare, and shown on every page of its report: all, to be safe
]
# Every table whose rows a public page can show.
TRACKED_TABLES = [
    "archive_report",
    "archive_report_topics",
    "archive_segment",
    "archive_quote",
    *SHARED_TABLES,
]


# --- SQLite: triggers fire at the write; one writer at a time ---------------------

_SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"
_SQLITE_EPOCH = (
    f"INSERT OR IGNORE INTO {COUNTER_TABLE} (scope, value) VALUES ('{ALL}', {_SQLITE_NOW});"
)


def _sqlite_bump(scope_sql, condition):
    # "WHERE" also keeps SQLite's parser from reading ON CONFLICT as a join.
    return (
        f"INSERT INTO {COUNTER_TABLE} (scope, value) SELECT {scope_sql}, {_SQLITE_NOW} "
        f"WHERE ({condition}) AND {scope_sql} IS NOT NULL "
        "ON CONFLICT (scope) DO UPDATE SET value = max(value + 1, excluded.value);"
    )


def _sqlite_published(report_id_sql):
    return (
        f"EXISTS (SELECT 1 FROM archive_report WHERE id = {report_id_sql} "
        f"AND status = '{PUBLISHED}')"
    )


def _sqlite_scopes(table, row):
    """(condition, [scope SQL]) that a change to one row (``OLD`` or ``NEW``) bumps."""
    if table == "archive_report":
        return f"{row}.status = '{PUBLISHED}'", [f"'{REPORTS}'", f"'report:' || {row}.id"]
    if table == "archive_report_topics":
        scopes = [f"'{REPORTS}'", f"'report:' || {row}.report_id"]
        return _sqlite_published(f"{row}.report_id"), scopes
    if table == "archive_segment":
        scopes = [f"'{TEXT}'", f"'report:' || {row}.report_id"]
        return _sqlite_published(f"{row}.report_id"), scopes
    if table == "archive_quote":
        report_id = f"(SELECT report_id FROM archive_segment WHERE id = {row}.segment_id)"
        return _sqlite_published(report_id), [f"'{TEXT}'", f"'report:' || {report_id}"]
    return "1", [f"'{ALL}'"]


SQLITE_EVENTS = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}
SQLITE_TRIGGER_NAMES = [
    f"archive_change_{table}_{event.lower()}" for table in TRACKED_TABLES for event in SQLITE_EVENTS
]


def sqlite_triggers(cursor):
    """CREATE TRIGGER statements for every tracked table and event.

    An UPDATE fires only when a column changed, compared column by column, so
    the columns are read from the table itself (``post_migrate`` re-creates
    the triggers after every migration).
    """
    statements = []
    for table in TRACKED_TABLES:
        cursor.execute(f"PRAGMA table_info({table})")
        columns = [row[1] for row in cursor.fetchall()]
        if not columns:
            continue  # made by a later migration, whose post_migrate installs its triggers
        changed = " OR ".join(f'OLD."{column}" IS NOT NEW."{column}"' for column in columns)
        for event, rows in SQLITE_EVENTS.items():
            body = [_SQLITE_EPOCH]
            for row in rows:
                condition, scopes = _sqlite_scopes(table, row)
                body += [_sqlite_bump(scope, condition) for scope in scopes]
            when = f" WHEN {changed}" if event == "UPDATE" and columns else ""
            statements.append(
                f"CREATE TRIGGER archive_change_{table}_{event.lower()} AFTER {event} ON {table}"
                f"{when} BEGIN {' '.join(body)} END"
            )
    return statements


# --- PostgreSQL: deferred triggers bump at commit, once per scope and transaction --

# clock_timestamp(), not now(): the time of the commit, not of the transaction's start.
_POSTGRES_NOW = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
# Bumping at the first write instead would hold a counter row's lock for the
# whole transaction. At commit, every bumping transaction first takes one
# advisory lock, so two of them never take counter rows in opposite orders
# (which deadlocks), and a counter never moves ahead of data not yet committed.
POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION archive_bump_scope(name text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF name IS NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('{COUNTER_TABLE}'));
    INSERT INTO {COUNTER_TABLE} (scope, value, transaction_id)
    VALUES ('{ALL}', {_POSTGRES_NOW}, NULL) ON CONFLICT (scope) DO NOTHING;
    INSERT INTO {COUNTER_TABLE} AS counter (scope, value, transaction_id)
    VALUES (name, {_POSTGRES_NOW}, txid_current())
    ON CONFLICT (scope) DO UPDATE SET value = greatest(counter.value + 1, excluded.value),
        transaction_id = excluded.transaction_id
    WHERE counter.transaction_id IS DISTINCT FROM excluded.transaction_id;
END $$;

CREATE OR REPLACE FUNCTION archive_bump_report(report_id bigint, list_scope text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM archive_report WHERE id = report_id AND status = '{PUBLISHED}') THEN
        PERFORM archive_bump_scope(list_scope);
        PERFORM archive_bump_scope('report:' || report_id);
    END IF;
END $$;

CREATE OR REPLACE FUNCTION archive_bump_row(table_name text, report_id bigint,
                                            segment_id bigint, status text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF table_name = 'archive_report' THEN
        IF status = '{PUBLISHED}' THEN
            PERFORM archive_bump_scope('{REPORTS}');
            PERFORM archive_bump_scope('report:' || report_id);
        END IF;
    ELSIF table_name = 'archive_report_topics' THEN
        PERFORM archive_bump_report(report_id, '{REPORTS}');
    ELSIF table_name = 'archive_segment' THEN
        PERFORM archive_bump_report(report_id, '{TEXT}');
    ELSIF table_name = 'archive_quote' THEN
        PERFORM archive_bump_report(
            (SELECT s.report_id FROM archive_segment s WHERE s.id = segment_id), '{TEXT}');
    ELSE
        PERFORM archive_bump_scope('{ALL}');
    END IF;
END $$;
"""

# The columns each table's row hands to archive_bump_row: (report id, segment id, status).
_POSTGRES_ROW_ARGS = {
    "archive_report": "{row}.id, NULL, {row}.status",
    "archive_report_topics": "{row}.report_id, NULL, NULL",
    "archive_segment": "{row}.report_id, NULL, NULL",
    "archive_quote": "NULL, {row}.segment_id, NULL",
}


def _postgres_function(table):
    if table in SHARED_TABLES:
        rows = f"PERFORM archive_bump_scope('{ALL}');"
    else:
        args = _POSTGRES_ROW_ARGS[table]
        rows = (
            "IF TG_OP <> 'INSERT' THEN\n"
            f"            PERFORM archive_bump_row(TG_TABLE_NAME, {args.format(row='OLD')});\n"
            "        END IF;\n"
            "        IF TG_OP <> 'DELETE' THEN\n"
            f"            PERFORM archive_bump_row(TG_TABLE_NAME, {args.format(row='NEW')});\n"
            "        END IF;"
        )
    return f"""
CREATE OR REPLACE FUNCTION archive_change_{table}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'STATEMENT' THEN  -- TRUNCATE
        PERFORM archive_bump_scope('{ALL}');
    ELSIF TG_OP = 'UPDATE' AND OLD IS NOT DISTINCT FROM NEW THEN
        NULL;  -- a save that changed nothing changes no page
    ELSE
        {rows}
    END IF;
    RETURN NULL;
END $$
"""


def _postgres_triggers(table):
    return [
        _postgres_function(table),
        f"DROP TRIGGER IF EXISTS archive_change ON {table}",
        f"CREATE CONSTRAINT TRIGGER archive_change AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        f"EXECUTE FUNCTION archive_change_{table}()",
        f"DROP TRIGGER IF EXISTS archive_change_truncate ON {table}",
        f"CREATE TRIGGER archive_change_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION archive_change_{table}()",
    ]


def create_counter_table(conn):
    with conn.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {COUNTER_TABLE} "
            "(scope varchar(40) PRIMARY KEY, value bigint NOT NULL, transaction_id bigint NULL)"
        )


def drop_counter_table(conn):
    with conn.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COUNTER_TABLE}")


def new_epoch(cursor):
    """Start "all" at the present time: no key cached before matches again."""
    cursor.execute(f"DELETE FROM {COUNTER_TABLE} WHERE scope = %s", [ALL])
    cursor.execute(
        f"INSERT INTO {COUNTER_TABLE} (scope, value) VALUES (%s, %s)", [ALL, time.time_ns() // 1000]
    )


# Aliases whose SQLite triggers are down while ``migrate`` runs: a table rebuild
# (SQLite's ALTER TABLE) fails on a trigger whose body names the rebuilt table,
# and the segment and quote triggers read the report table. post_migrate puts
# them back, built from the final columns.
_migrating = set()


def drop_triggers_before_migrate(sender, using="default", **kwargs):
    """pre_migrate: take SQLite's triggers down for the length of the migration."""
    conn = connections[using]
    if conn.vendor == "sqlite":
        _migrating.add(using)
        with conn.cursor() as cursor:
            drop_sqlite_triggers(cursor)


def install_triggers(conn):
    """Create the triggers that bump the counters, and a new epoch; idempotent."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite" and conn.alias in _migrating:
            return  # post_migrate installs them
        if conn.vendor == "sqlite":
            drop_sqlite_triggers(cursor)
            for statement in sqlite_triggers(cursor):
                cursor.execute(statement)
        elif conn.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTIONS)
            existing = set(conn.introspection.table_names(cursor))
            for table in (table for table in TRACKED_TABLES if table in existing):
                for statement in _postgres_triggers(table):
                    cursor.execute(statement)
        new_epoch(cursor)


def drop_sqlite_triggers(cursor):
    """For bulk loads (the benchmark): load, then :func:`install_triggers` again."""
    for name in SQLITE_TRIGGER_NAMES:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def uninstall_triggers(conn):
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            drop_sqlite_triggers(cursor)
        elif conn.vendor == "postgresql":
            existing = set(conn.introspection.table_names(cursor))
            for table in (table for table in TRACKED_TABLES if table in existing):
                cursor.execute(f"DROP TRIGGER IF EXISTS archive_change ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS archive_change_truncate ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS archive_change_{table}()")
            cursor.execute("DROP FUNCTION IF EXISTS archive_bump_change_counter()")  # 0004's
            cursor.execute("DROP FUNCTION IF EXISTS archive_bump_row(text, bigint, bigint, text)")
            cursor.execute("DROP FUNCTION IF EXISTS archive_bump_report(bigint, text)")
            cursor.execute("DROP FUNCTION IF EXISTS archive_bump_scope(text)")


def ensure_triggers_after_migrate(sender, using="default", **kwargs):
    """post_migrate: SQLite drops a table's triggers when a migration rebuilds it."""
    from django.db.migrations.recorder import MigrationRecorder

    conn = connections[using]
    _migrating.discard(using)
    recorder = MigrationRecorder(conn)
    if recorder.has_table() and ("archive", MIGRATION) in recorder.applied_migrations():
        install_triggers(conn)


# --- the key ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A scope a page reads: its name as SQL (with params) for the counter lookup."""

    sql: str
    params: tuple = ()


def fixed(name):
    return Scope("%s", (name,))


def report_of(subquery):
    return Scope(f"'report:' || CAST(({subquery}) AS TEXT)")


def _report_by_slug(kwargs):
    scope = report_of("SELECT id FROM archive_report WHERE slug = %s")
    return Scope(scope.sql, (kwargs.get("slug", ""),))


def _report_by_quote(kwargs):
    scope = report_of(
        "SELECT s.report_id FROM archive_quote q JOIN archive_segment s ON s.id = q.segment_id "
        "WHERE q.id = %s"
    )
    return Scope(scope.sql, (kwargs.get("pk", 0),))


EVERYTHING = (fixed(ALL), fixed(REPORTS), fixed(TEXT))
LISTS = (fixed(REPORTS),)
LISTS_AND_TEXT = (fixed(REPORTS), fixed(TEXT))

# URL name → what the page reads besides "all". A page not named here (a new
# route) reads everything: correct first, and cheaper once it says what it needs.
PAGE_SCOPES = {
    "report_detail": lambda request, kwargs: (_report_by_slug(kwargs),),
    "report_cite": lambda request, kwargs: (_report_by_slug(kwargs),),
    "quote_detail": lambda request, kwargs: (_report_by_quote(kwargs),),
    "quote_cite": lambda request, kwargs: (_report_by_quote(kwargs),),
    "topic_detail": lambda request, kwargs: LISTS,
    "report_feed": lambda request, kwargs: LISTS,
    # Filtered by speaker, the list reads who speaks in which segment.
    "report_list": lambda request, kwargs: LISTS_AND_TEXT if "speaker" in request.GET else LISTS,
}


def page_scopes(request, kwargs):
    match = getattr(request, "resolver_match", None)
    scopes = PAGE_SCOPES.get(match.url_name if match else None)
    return (fixed(ALL), *(scopes(request, kwargs) if scopes else LISTS_AND_TEXT))


class DataVersion(NamedTuple):
    counters: tuple  # ((scope, value), ...), "all" first
    next_publication: datetime | None  # the earliest publication still to come
    last_publication: datetime | None  # the latest that has come (a report gone live)


def _as_utc(moment):
    if isinstance(moment, str):  # SQLite: text or a naive datetime, in UTC
        moment = parse_datetime(moment)
    if moment is not None and timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment


def data_version(now, scopes=EVERYTHING, using="default"):
    """The counters of ``scopes`` and the publication times around ``now``, in one query.

    Each counter is one primary-key lookup, and each publication time one probe
    of an index on the publication time, so the cost does not grow with the
    archive. None when the epoch ("all") is missing (a flushed table, until
    the next write re-creates it): then nothing is cached.
    """
    from .models import Report

    scheduled = Report.objects.scheduled(now=now).order_by("published_at").using(using)
    scheduled_sql, scheduled_params = scheduled.values("published_at")[:1].query.sql_with_params()
    # Newest first along report_recent_idx: by status first, SQLite would sort them all.
    latest = Report.objects.public(now=now).order_by("-published_at", "-pk").using(using)
    latest_sql, latest_params = latest.values("published_at")[:1].query.sql_with_params()
    columns, params = [], []
    for scope in scopes:
        columns.append(
            f"{scope.sql}, (SELECT value FROM {COUNTER_TABLE} WHERE scope = {scope.sql})"
        )
        params += [*scope.params, *scope.params]
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT ({scheduled_sql}), ({latest_sql}), {', '.join(columns)}",
            [*scheduled_params, *latest_params, *params],
        )
        next_publication, last_publication, *pairs = cursor.fetchone()
    counters = tuple(zip(pairs[::2], pairs[1::2], strict=True))
    if counters[0][1] is None:
        return None
    return DataVersion(counters, _as_utc(next_publication), _as_utc(last_publication))


# Citations, on a report's and a quote's page too, print the day they were read.
DATED_PAGES = {"report_detail", "report_cite", "quote_detail", "quote_cite"}
# An HTTP date counts whole seconds: a page changed twice within one second must not
# carry one Last-Modified for both (If-Modified-Since would answer 304 to the second).
# So a time is sent only once its second is over, with a second more for a commit
# still on its way.
SETTLED = timedelta(seconds=2)


def last_modified(version, now, *, dated=False):
    """When what a page shows last changed (None if not known, or too recent to say).

    The newest of its scopes' counters, the latest publication time passed (a
    scheduled report goes live with no write) and, for a page that prints the
    date, today's midnight.
    """
    epoch = version.counters[0][1]
    if epoch < TIMES_FROM:
        return None  # counted before counters were times: when is not known
    changed = max(value for _, value in version.counters if value and value >= TIMES_FROM)
    moments = [datetime.fromtimestamp(changed / 1_000_000, UTC)]
    if version.last_publication is not None:
        moments.append(version.last_publication)
    if dated:
        midnight = datetime.combine(timezone.localdate(now), datetime.min.time())
        moments.append(timezone.make_aware(midnight))
    moment = max(moments).replace(microsecond=0)
    return moment if moment + SETTLED <= now else None


# --- the page cache ---------------------------------------------------------------


def _read_database():
    from .models import Report

    return router.db_for_read(Report)


def _may_cache(request, using):
    if request.method != "GET" or connections[using].in_atomic_block:
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


def page_key(counters, next_publication, today, url):
    scopes = ",".join(f"{name}={value}" for name, value in counters)
    scheduled = next_publication.isoformat() if next_publication else "-"
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"archive:page:{scopes}:{scheduled}:{today.isoformat()}:{digest}"


def cache_public_page(view):
    """Serve ``view`` from the page cache when nothing it shows can have changed."""

    @functools.wraps(view)
    def cached_view(request, *args, **kwargs):
        using = _read_database()
        if not _may_cache(request, using):
            return view(request, *args, **kwargs)
        started = timezone.now()
        version = data_version(started, page_scopes(request, kwargs), using=using)
        if version is None:
            return view(request, *args, **kwargs)
        counters, next_publication, _ = version
        today = timezone.localdate(started)
        key = page_key(counters, next_publication, today, request.build_absolute_uri())
        match = getattr(request, "resolver_match", None)
        modified = last_modified(version, started, dated=match and match.url_name in DATED_PAGES)
        page_cache = caches[CACHE_ALIAS]
        frozen = page_cache.get(key)
        if frozen is not None:
            return _with_last_modified(_thaw(frozen), modified)
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
        return _with_last_modified(response, modified)

    return cached_view


def _with_last_modified(response, modified):
    """The page's Last-Modified, from its key; ``ConditionalGetMiddleware`` answers 304s.

    It replaces a view's own (a feed's newest item: older than the feed once that
    item is withdrawn), and with no time known none is sent.
    """
    if response.status_code != 200:
        return response
    if modified is None:
        del response["Last-Modified"]
    else:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response
