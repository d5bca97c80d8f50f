"""Full-text search over report titles and transcript segments.

Quotes are excerpts of their segment's text, word for word, so the segment
index finds them too. Two engines, one interface:

- SQLite: FTS5 external-content tables (``archive_segment_fts``,
  ``archive_report_fts``) kept in sync by triggers, so saves, ``bulk_create``,
  ``QuerySet.update`` and deletes all follow; created in migration 0003 and
  re-created after every ``migrate`` (a table rebuild by a later migration
  drops its triggers).
- PostgreSQL: GIN indexes on ``to_tsvector('english', ...)`` expressions,
  ranked with ``ts_rank``.

The reader's text never reaches the engine as syntax: :func:`parse_query`
keeps words, quoted phrases and ``word*`` prefixes, and each engine's query is
built from those tokens. Visibility is not re-implemented here: the caller
passes a queryset built on ``Report.objects.public()`` and the engine's hits
are restricted to it as a subquery.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_QUERY_CHARS = 500
MAX_TERMS = 12
MIN_PREFIX = 2
TITLE_WEIGHT = 2.0
OPERATORS = {"AND", "OR", "NOT", "NEAR"}

_PHRASE_RE = re.compile(r'"([^"]*)"')
_WORD_RE = re.compile(r"[^\W_]+(?:\*)?")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False

    def __str__(self):
        text = " ".join(self.words)
        if len(self.words) > 1:
            return f'"{text}"'
        return text + ("*" if self.prefix else "")


def parse_query(raw):
    """Reader's text → terms (all required). Never raises; may return ``[]``.

    ``"rare earth" invest*`` gives a phrase and a prefix term. Unbalanced
    quotes, operators (AND, OR, NOT, NEAR, ``-``, ``^``, ``:``) and other
    punctuation are treated as separators, not syntax.
    """
    text = (raw or "")[:MAX_QUERY_CHARS]
    terms = []
    for phrase in _PHRASE_RE.findall(text):
        words = tuple(w.lower() for w in re.findall(r"[^\W_]+", phrase))
        if words:
            terms.append(Term(words))
    rest = _PHRASE_RE.sub(" ", text)
    for token in _WORD_RE.findall(rest):
        prefix = token.endswith("*")
        word = token.rstrip("*")
        if word in OPERATORS:
            continue
        if prefix and len(word) < MIN_PREFIX:
            prefix = False
        terms.append(Term((word.lower(),), prefix=prefix))
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_TERMS]


def fts5_query(terms):
    """Every token double-quoted, so FTS5 sees strings, never operators."""

    def quoted(term):
        body = " ".join(term.words).replace('"', '""')
        return f'"{body}"' + ("*" if term.prefix else "")

    return " ".join(quoted(term) for term in terms)


def tsquery(terms):
    """Input for ``to_tsquery('english', ...)``; words are letters and digits only."""

    def one(term):
        if term.prefix:
            return f"{term.words[0]}:*"
        return "(" + " <-> ".join(term.words) + ")"

    return " & ".join(one(term) for term in terms)


# --- highlighting (both engines) -------------------------------------------------

# Endings the stemmers fold together: "invest" also marks "investment".
_SUFFIXES = "s|es|ed|d|ing|ings|er|ers|ment|ments|ly|ion|ions|'s|’s"
_STRIP_RE = re.compile(r"(?:ments|ment|ings|ing|ions|ion|ers|er|es|ed|ly|s)$")


def _word_pattern(word, prefix):
    if prefix:
        return re.escape(word) + r"\w*"
    root = word
    if len(word) > 4:
        root = _STRIP_RE.sub("", word) or word
    return re.escape(root) + rf"(?:{_SUFFIXES})?"


def _highlight_re(terms):
    patterns = []
    for term in terms:
        for index, word in enumerate(term.words):
            last = index == len(term.words) - 1
            patterns.append(_word_pattern(word, term.prefix and last))
    if not patterns:
        return None
    alternatives = "|".join(sorted(set(patterns), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def highlight(text, terms):
    """HTML-escape ``text`` and wrap each matching word in ``<mark>``."""
    pattern = _highlight_re(terms)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text, terms, words_around=14):
    """A window of ``text`` around its first match, escaped and highlighted."""
    pattern = _highlight_re(terms)
    words = text.split()
    if len(words) <= 2 * words_around + 1:
        return highlight(text, terms)
    hit = 0
    if pattern is not None:
        for index, word in enumerate(words):
            if pattern.search(word):
                hit = index
                break
    start = max(0, hit - words_around)
    end = min(len(words), start + 2 * words_around + 1)
    body = highlight(" ".join(words[start:end]), terms)
    before = "… " if start > 0 else ""
    after = " …" if end < len(words) else ""
    return mark_safe(f"{before}{body}{after}")


# --- the engines -----------------------------------------------------------------


@dataclass
class Hit:
    report: object
    segment: object | None
    score: float
    title_html: str
    snippet_html: str


@dataclass
class Results:
    hits: list
    page: int
    has_next: bool

    @property
    def has_previous(self):
        return self.page > 1


# SQLite ranks a bounded candidate set: the CANDIDATES most recently added
# matching segments (and titles) of visible reports, walked newest first in the
# FTS index, so a common word costs the same as a rare one (ranking all 127,000
# segments holding "government" took 240 ms at 1,000,000 segments; this, 10 ms).
# Visibility is applied inside the walk, before the LIMIT: hidden reports never
# crowd out public ones. bm25() works here because the FTS table drives the join.
CANDIDATES = 2000

_SQLITE_SQL = """
SELECT * FROM (
    SELECT s.report_id, f.rowid, -bm25(archive_segment_fts, 0.5, 1.0)
    FROM archive_segment_fts f JOIN archive_segment s ON s.id = f.rowid
    WHERE archive_segment_fts MATCH %s AND s.report_id IN ({visible})
    ORDER BY f.rowid DESC LIMIT %s
)
UNION ALL
SELECT * FROM (
    -- "+rowid": test visibility per match, not probe the index once per visible report.
    SELECT rowid, NULL, -bm25(archive_report_fts) FROM archive_report_fts
    WHERE archive_report_fts MATCH %s AND +rowid IN ({visible})
    ORDER BY rowid DESC LIMIT %s
)
"""

_POSTGRES_SQL = """
WITH q AS (SELECT to_tsquery('english', %s) AS query),
seg AS (
    SELECT DISTINCT ON (s.report_id) s.report_id AS report_id, s.id AS segment_id,
           ts_rank(to_tsvector('english', s.speaker_title || ' ' || s.text), q.query) AS score
    FROM archive_segment s, q
    WHERE to_tsvector('english', s.speaker_title || ' ' || s.text) @@ q.query
    ORDER BY s.report_id, score DESC, s.position
), ttl AS (
    SELECT r.id AS report_id, ts_rank(to_tsvector('english', r.title), q.query) AS score
    FROM archive_report r, q
    WHERE to_tsvector('english', r.title) @@ q.query
)
SELECT ids.report_id, seg.segment_id,
       COALESCE(seg.score, 0) + {title_weight} * COALESCE(ttl.score, 0) AS score
FROM (SELECT report_id FROM seg UNION SELECT report_id FROM ttl) AS ids
LEFT JOIN seg ON seg.report_id = ids.report_id
LEFT JOIN ttl ON ttl.report_id = ids.report_id
WHERE ids.report_id IN ({visible})
ORDER BY score DESC, ids.report_id DESC
LIMIT %s OFFSET %s
"""


def _ranked_ids(terms, reports, limit, offset):
    """(report_id, segment_id, score) rows for the visible reports, best first."""
    visible_sql, visible_params = reports.order_by().values("pk").query.sql_with_params()
    if connection.vendor != "postgresql":
        return _sqlite_ranked_ids(fts5_query(terms), visible_sql, visible_params, limit, offset)
    sql = _POSTGRES_SQL.format(title_weight=TITLE_WEIGHT, visible=visible_sql)
    params = [tsquery(terms), *visible_params, limit, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sqlite_ranked_ids(match, visible_sql, visible_params, limit, offset):
    sql = _SQLITE_SQL.format(visible=visible_sql)
    candidates = CANDIDATES
    while True:
        params = [match, *visible_params, candidates, match, *visible_params, candidates]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        best, titles, segment_rows = {}, {}, 0
        for report_id, segment_id, score in rows:
            if segment_id is None:
                titles[report_id] = score
                continue
            segment_rows += 1
            if report_id not in best or score > best[report_id][1]:
                best[report_id] = (segment_id, score)
        exhausted = segment_rows < candidates and len(titles) < candidates
        # A deep page, or a few reports holding most matches: widen the window.
        if exhausted or len(best.keys() | titles.keys()) >= offset + limit:
            break
        candidates *= 4
    ranked = [
        (report_id, segment_id, score + TITLE_WEIGHT * titles.get(report_id, 0))
        for report_id, (segment_id, score) in best.items()
    ]
    ranked += [
        (report_id, None, TITLE_WEIGHT * score)
        for report_id, score in titles.items()
        if report_id not in best
    ]
    ranked.sort(key=lambda row: (-row[2], -row[0]))
    return ranked[offset : offset + limit]


def search(raw_query, reports, *, page=1, per_page=20):
    """Search ``reports`` (a queryset built on ``Report.objects.public()``).

    Three queries whatever the number of hits: the ranked ids, the reports,
    the best segment of each.
    """
    from .models import Report, Segment, public_report_exists  # the engines need no models

    terms = parse_query(raw_query)
    if not terms:
        return Results(hits=[], page=1, has_next=False), terms
    rows = _ranked_ids(terms, reports, per_page + 1, (page - 1) * per_page)
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    report_ids = [row[0] for row in rows]
    segment_ids = [row[1] for row in rows if row[1] is not None]
    # The ranked ids already passed ``reports``' filters; visibility is checked
    # again (a report may be withdrawn in between) by primary key, row by row.
    by_report = (
        Report.objects.filter(public_report_exists("pk"))
        .select_related("outlet", "correspondent")
        .order_by()
        .in_bulk(report_ids)
    )
    segments = Segment.objects.select_related("speaker").order_by().in_bulk(segment_ids)
    hits = []
    for report_id, segment_id, score in rows:
        report = by_report.get(report_id)
        if report is None:  # withdrawn between the two queries
            continue
        segment = segments.get(segment_id)
        if segment is not None:
            segment.report = report  # its URL needs the report: no query per hit
        hits.append(
            Hit(
                report=report,
                segment=segment,
                score=score,
                title_html=highlight(report.title, terms),
                snippet_html=snippet(segment.text, terms) if segment else "",
            )
        )
    return Results(hits=hits, page=page, has_next=has_next), terms


def like_scan(word, reports, limit=20):
    """The baseline the benchmark compares with: a plain LIKE over the same rows."""
    visible_sql, visible_params = reports.order_by().values("pk").query.sql_with_params()
    sql = (
        "SELECT s.report_id, s.id FROM archive_segment s "
        f"WHERE (s.text LIKE %s OR s.speaker_title LIKE %s) AND s.report_id IN ({visible_sql})"
    )
    pattern = f"%{word}%"
    with connection.cursor() as cursor:
        cursor.execute(sql, [pattern, pattern, *visible_params])
        return cursor.fetchall()[:limit]


# --- keeping the SQLite index in place -------------------------------------------

SQLITE_TABLES = [
    (
        "CREATE VIRTUAL TABLE IF NOT EXISTS archive_segment_fts USING fts5("
        "speaker_title, text, content='archive_segment', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    ),
    (
        "CREATE VIRTUAL TABLE IF NOT EXISTS archive_report_fts USING fts5("
        "title, content='archive_report', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    ),
]

SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS archive_segment_fts_insert AFTER INSERT ON archive_segment
    BEGIN
        INSERT INTO archive_segment_fts(rowid, speaker_title, text)
        VALUES (new.id, new.speaker_title, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS archive_segment_fts_delete AFTER DELETE ON archive_segment
    BEGIN
        INSERT INTO archive_segment_fts(archive_segment_fts, rowid, speaker_title, text)
        VALUES ('delete', old.id, old.speaker_title, old.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS archive_segment_fts_update
    AFTER UPDATE OF speaker_title, text ON archive_segment
    BEGIN
        INSERT INTO archive_segment_fts(archive_segment_fts, rowid, speaker_title, text)
        VALUES ('delete', old.id, old.speaker_title, old.text);
        INSERT INTO archive_segment_fts(rowid, speaker_title, text)
        VALUES (new.id, new.speaker_title, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS archive_report_fts_insert AFTER INSERT ON archive_report
    BEGIN
        INSERT INTO archive_report_fts(rowid, title) VALUES (new.id, new.title);
    END""",
    """CREATE TRIGGER IF NOT EXISTS archive_report_fts_delete AFTER DELETE ON archive_report
    BEGIN
        INSERT INTO archive_report_fts(archive_report_fts, rowid, title)
        VALUES ('delete', old.id, old.title);
    END""",
    """CREATE TRIGGER IF NOT EXISTS archive_report_fts_update
    AFTER UPDATE OF title ON archive_report
    BEGIN
        INSERT INTO archive_report_fts(archive_report_fts, rowid, title)
        VALUES ('delete', old.id, old.title);
        INSERT INTO archive_report_fts(rowid, title) VALUES (new.id, new.title);
    END""",
]

SQLITE_TRIGGER_NAMES = [
    "archive_segment_fts_insert",
    "archive_segment_fts_delete",
    "archive_segment_fts_update",
    "archive_report_fts_insert",
    "archive_report_fts_delete",
    "archive_report_fts_update",
]

POSTGRES_INDEXES = [
    "CREATE INDEX IF NOT EXISTS archive_segment_search_idx ON archive_segment "
    "USING gin (to_tsvector('english', speaker_title || ' ' || text))",
    "CREATE INDEX IF NOT EXISTS archive_report_search_idx ON archive_report "
    "USING gin (to_tsvector('english', title))",
]


def install_index(conn, *, rebuild=False):
    """Create the search index and (SQLite) its triggers; idempotent."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            created = not _sqlite_table_exists(cursor, "archive_segment_fts")
            for statement in SQLITE_TABLES + SQLITE_TRIGGERS:
                cursor.execute(statement)
            if created or rebuild:
                rebuild_sqlite_index(cursor)
        elif conn.vendor == "postgresql":
            for statement in POSTGRES_INDEXES:
                cursor.execute(statement)


def rebuild_sqlite_index(cursor):
    cursor.execute("INSERT INTO archive_segment_fts(archive_segment_fts) VALUES ('rebuild')")
    cursor.execute("INSERT INTO archive_report_fts(archive_report_fts) VALUES ('rebuild')")


def drop_sqlite_triggers(cursor):
    """For bulk loads (the benchmark): load rows, then rebuild and re-create."""
    for name in SQLITE_TRIGGER_NAMES:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def uninstall_index(conn):
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            drop_sqlite_triggers(cursor)
            cursor.execute("DROP TABLE IF EXISTS archive_segment_fts")
            cursor.execute("DROP TABLE IF EXISTS archive_report_fts")
        elif conn.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS archive_segment_search_idx")
            cursor.execute("DROP INDEX IF EXISTS archive_report_search_idx")


def _sqlite_table_exists(cursor, name):
    cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [name])
    return cursor.fetchone() is not None


def ensure_index_after_migrate(sender, using="default", **kwargs):
    """post_migrate: a later migration that rebuilds a table drops its triggers."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    conn = connections[using]
    recorder = MigrationRecorder(conn)
    if not recorder.has_table():
        return
    applied = recorder.applied_migrations()
    if ("archive", "0003_public_search") in applied:
        install_index(conn)
