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

import functools
import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .collation import TWO_LETTER_FOLDS, fold, fold_letters, sqlite_fold_letters

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
        # The index holds its text so folded (see SQLITE_TRIGGERS).
        body = fold_letters(" ".join(term.words)).replace('"', '""')
        return f'"{body}"' + ("*" if term.prefix else "")

    return " ".join(quoted(term) for term in terms)


def tsquery(terms):
    """Input for ``to_tsquery(...)``; words are letters and digits only."""

    def one(term):
        if term.prefix:
            return f"{term.words[0]}:*"
        return "(" + " <-> ".join(term.words) + ")"

    return " & ".join(one(term) for term in terms)


# --- highlighting (both engines) -------------------------------------------------

# Endings the stemmers fold together: "invest" also marks "investment".
_SUFFIXES = "s|es|ed|d|ing|ings|er|ers|ment|ments|ly|ion|ions|'s|’s"
_STRIP_RE = re.compile(r"(?:ments|ment|ings|ing|ions|ion|ers|er|es|ed|ly|s)$")


def _either_spelling(pattern):
    """Also mark "straße" for "strasse": the text is folded one letter for one."""
    for spelled, letter in TWO_LETTER_FOLDS.items():
        pattern = pattern.replace(spelled, f"(?:{spelled}|{letter})")
    return pattern


def _word_pattern(word, prefix):
    word = fold(fold_letters(word))
    if prefix:
        return _either_spelling(re.escape(word)) + r"\w*"
    root = word
    if len(word) > 4:
        root = _STRIP_RE.sub("", word) or word
    return _either_spelling(re.escape(root)) + rf"(?:{_SUFFIXES})?"


def _highlight_re(terms):
    return _compiled_highlight(tuple(terms))


@functools.lru_cache(maxsize=256)
def _compiled_highlight(terms):
    """One pattern per query, built once: every hit's title and snippet use it."""
    patterns = []
    for term in terms:
        for index, word in enumerate(term.words):
            last = index == len(term.words) - 1
            patterns.append(_word_pattern(word, term.prefix and last))
    if not patterns:
        return None
    alternatives = "|".join(sorted(set(patterns), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def highlight(text, terms):
    """HTML-escape ``text`` and wrap each matching word in ``<mark>``, whatever its accents."""
    pattern = _highlight_re(terms)
    if pattern is None:
        return escape(text)
    out, last = [], 0
    for match in pattern.finditer(fold(text)):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(text, terms, words_around=14):
    """A window of ``text`` around its first match, escaped and highlighted."""
    pattern = _highlight_re(terms)
    words = text.split()
    if len(words) <= 2 * words_around + 1:
        return highlight(text, terms)
    match = pattern.search(fold(text)) if pattern is not None else None
    # The matched word's index: the words before it (a match starts a word).
    hit = len(text[: match.start()].split()) if match else 0
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

    @property
    def url(self):
        """The exact passage (``/reports/<slug>/#segment-N``, marked there by CSS ``:target``)."""
        return (self.segment or self.report).get_absolute_url()


@dataclass
class Results:
    hits: list
    page: int
    has_next: bool
    total: int = 0
    total_is_exact: bool = True
    people: list = field(default_factory=list)

    @property
    def has_previous(self):
        return self.page > 1


SORTS = ("relevance", "date")
MAX_PEOPLE = 5
PEOPLE_CANDIDATES = 10  # per person listed: room for hidden ones among the best matches

# Both engines rank a bounded candidate set: the CANDIDATES most recently added
# matching segments (and titles) of visible reports, newest first, so a common
# word costs the same as a rare one (SQLite: ranking all 127,000 segments
# holding "government" took 240 ms at 1,000,000 segments; this, 10 ms).
# Visibility is applied inside the walk, before the LIMIT: hidden reports never
# crowd out public ones. A deep page widens the window.
#
# Three kinds of candidate: segments whose caption or text match, segments
# spoken by a person whose name or organization match (the person's own score),
# and report titles.
CANDIDATES = 2000
PERSON_WEIGHT = 1.0

# One walk per kind of candidate, joined by UNION ALL. "{visible}" is the caller's
# queryset of visible reports; "{kind}" keeps one segment kind.
_SQLITE_WALKS = {
    "segments": """
    SELECT s.report_id, f.rowid, -bm25(archive_segment_fts, 0.5, 1.0)
    FROM archive_segment_fts f JOIN archive_segment s ON s.id = f.rowid
    WHERE archive_segment_fts MATCH %s AND EXISTS ({visible}) {kind}
    ORDER BY f.rowid DESC LIMIT %s""",
    "people": f"""
    SELECT s.report_id, s.id, {PERSON_WEIGHT} * p.score
    FROM (SELECT rowid AS id, -bm25(archive_speaker_fts) AS score FROM archive_speaker_fts
          WHERE archive_speaker_fts MATCH %s
          UNION ALL
          SELECT sp.id, o.score FROM archive_speaker sp
          JOIN (SELECT rowid AS id, -bm25(archive_organization_fts) AS score
                FROM archive_organization_fts WHERE archive_organization_fts MATCH %s) o
            ON o.id = sp.organization_id) p
    JOIN archive_segment s ON s.speaker_id = p.id
    WHERE EXISTS ({{visible}}) {{kind}}
    ORDER BY s.id DESC LIMIT %s""",
    "titles": """
    SELECT rowid, NULL, -bm25(archive_report_fts) FROM archive_report_fts
    WHERE archive_report_fts MATCH %s AND EXISTS ({visible})
    ORDER BY rowid DESC LIMIT %s""",
}
# SQLite: each match's report is probed by primary key ("EXISTS", correlated on the
# column named here). As "IN (visible)", every search listed every visible report
# first, once per walk: 20 ms at 10,000 reports, for a rare word's 20 matches.
_OUTER = "archive_outer_report_id"
_SQLITE_VISIBLE_BY = {
    "segments": "s.report_id",
    "people": "s.report_id",
    "titles": "archive_report_fts.rowid",
}

# People whose name holds every term first, best first; then those of an organization
# whose name does.
_SQLITE_PEOPLE_SQL = """
SELECT id FROM (
    SELECT rowid AS id, 0 AS by_organization, bm25(archive_speaker_fts) AS score
    FROM archive_speaker_fts WHERE archive_speaker_fts MATCH %s
    UNION ALL
    SELECT sp.id, 1, 0 FROM archive_speaker sp
    WHERE sp.organization_id IN (SELECT rowid FROM archive_organization_fts
                                 WHERE archive_organization_fts MATCH %s)
) ORDER BY by_organization, score, id LIMIT %s
"""

# PostgreSQL: the same walks, each cut to the newest CANDIDATES before ts_rank
# runs. The query is written out in each walk (no CTE): as a constant, the planner
# estimates its words from the statistics and walks the newest rows backwards for a
# common word (stopping after the window) but the GIN index for a rare one.
# archive_unaccent() (migration 0011) folds accents in the index and the query.
_PG_QUERY = "to_tsquery('english', archive_unaccent(%s))"
_PG_NAMES = "to_tsquery('simple', archive_unaccent(%s))"
_PG_TITLE_VECTOR = "to_tsvector('english', archive_unaccent(r.title))"
_PG_NAME_VECTOR = "to_tsvector('simple', archive_unaccent(sp.name))"
_PG_ORGANIZATION_VECTOR = "to_tsvector('simple', archive_unaccent(o.name))"

_POSTGRES_PEOPLE_SQL = f"""
SELECT id FROM (
    SELECT sp.id, 0 AS by_organization, ts_rank({_PG_NAME_VECTOR}, {_PG_NAMES}) AS score
    FROM archive_speaker sp WHERE {_PG_NAME_VECTOR} @@ {_PG_NAMES}
    UNION ALL
    SELECT sp.id, 1, 0 FROM archive_speaker sp
    JOIN archive_organization o ON o.id = sp.organization_id
    WHERE {_PG_ORGANIZATION_VECTOR} @@ {_PG_NAMES}
) AS people ORDER BY by_organization, score DESC, id LIMIT %s
"""


# Segments: the newest matches of visible reports, by one of two plans, of which one
# runs. A common word (each of the query's words among the column's most common, per
# ANALYZE's statistics) walks the newest segments backwards and stops after the
# window; any other reads its matches from the GIN index and sorts them ("s.id + 0"
# keeps the planner off the backward walk, which it picks for an unknown word, whose
# matches it guesses at 5,000 (0.5%): a rare word's 20 took it through every row).
# Each match's report is checked by one primary-key probe, in a LATERAL subquery with
# a LIMIT, which the planner cannot turn into a join (as "report_id IN (visible)" it
# hashed every visible report first).
_PG_COMMON_WORDS = """coalesce((
        SELECT st.most_common_elems::text::text[]
               @> tsvector_to_array(to_tsvector('english', archive_unaccent(%s)))
        FROM pg_stats st WHERE st.schemaname = current_schema()
        AND st.tablename = 'archive_segment' AND st.attname = 'search_vector'), true)"""
_PG_SEGMENT_WALK = f"""
    SELECT s.report_id, s.id, ts_rank(s.search_vector, {_PG_QUERY})
    FROM archive_segment s CROSS JOIN LATERAL (
        SELECT 1 FROM archive_report r
        WHERE r.id = s.report_id AND r.id IN ({{{{visible}}}}) LIMIT 1
    ) AS visible
    WHERE s.search_vector @@ {_PG_QUERY} {{{{kind}}}} AND {{plan}}
    ORDER BY {{order}} DESC LIMIT %s"""
_POSTGRES_WALKS = {
    "segments": _PG_SEGMENT_WALK.format(plan=_PG_COMMON_WORDS, order="s.id"),
    "matches": _PG_SEGMENT_WALK.format(plan=f"NOT {_PG_COMMON_WORDS}", order="s.id + 0"),
    "people": f"""
    SELECT s.report_id, s.id, {PERSON_WEIGHT} * p.score
    FROM (SELECT sp.id, ts_rank({_PG_NAME_VECTOR}, {_PG_NAMES}) AS score FROM archive_speaker sp
          WHERE {_PG_NAME_VECTOR} @@ {_PG_NAMES}
          UNION ALL
          SELECT sp.id, ts_rank({_PG_ORGANIZATION_VECTOR}, {_PG_NAMES})
          FROM archive_speaker sp JOIN archive_organization o ON o.id = sp.organization_id
          WHERE {_PG_ORGANIZATION_VECTOR} @@ {_PG_NAMES}) p
    JOIN archive_segment s ON s.speaker_id = p.id
    WHERE s.report_id IN ({{visible}}) {{kind}}
    ORDER BY s.id DESC LIMIT %s""",
    "titles": f"""
    SELECT r.id, NULL::bigint, ts_rank({_PG_TITLE_VECTOR}, {_PG_QUERY})
    FROM archive_report r
    WHERE {_PG_TITLE_VECTOR} @@ {_PG_QUERY} AND r.id IN ({{visible}})
    ORDER BY r.id DESC LIMIT %s""",
}


def _visible_sql(queryset):
    return queryset.order_by().values("pk").query.sql_with_params()


def _walk_params(walk, postgres, query, visible, kind, limit, words=""):
    """Each walk's parameters, in the order its SQL holds them."""
    if postgres:
        segments = [query, *visible, query, *kind, words, limit]
        return {
            "segments": segments,
            "matches": segments,
            "people": [query, query, query, query, *visible, *kind, limit],
            "titles": [query, query, *visible, limit],
        }[walk]
    return {
        "segments": [query, *visible, *kind, limit],
        "people": [query, query, *visible, *kind, limit],
        "titles": [query, *visible, limit],
    }[walk]


def _candidates(terms, reports, kind, candidates, *, names_match=True):
    """Raw candidate rows (report_id, segment_id or None, score) of the walks.

    The people walk runs only when some name matched (``names_match``), titles only
    when every kind of passage counts.
    """
    visible_sql, visible_params = _visible_sql(reports)
    postgres = connection.vendor == "postgresql"
    templates = _POSTGRES_WALKS if postgres else _SQLITE_WALKS
    query = tsquery(terms) if postgres else fts5_query(terms)
    kind_params = [kind] if kind else []
    walks = ["segments", *(["matches"] if postgres else [])]
    walks += [*(["people"] if names_match else []), *([] if kind else ["titles"])]
    # Words whose frequency tells the plan; a prefix matches more than its stem does.
    words = " ".join(word for term in terms if not term.prefix for word in term.words)
    parts, params = [], []
    if not postgres:  # compiled once, correlated on each walk's column below
        visible_sql, visible_params = _visible_sql(reports.filter(pk=RawSQL(_OUTER, ())))
    for walk in walks:
        sql = templates[walk].format(visible="{visible}", kind="AND s.kind = %s" if kind else "")
        visible = visible_sql
        if not postgres:
            visible = visible_sql.replace(_OUTER, _SQLITE_VISIBLE_BY[walk])
        parts.append(f"SELECT * FROM ({sql.replace('{visible}', visible)}\n) AS {walk}")
        params += _walk_params(
            walk, postgres, query, visible_params, kind_params, candidates, words
        )
    sql = "\nUNION ALL\n".join(parts)
    with connection.cursor() as cursor:
        if postgres:
            # Parallel workers take longer to start (30 ms on a busy server), and JIT
            # longer to compile (250 ms: the plan that does not run counts in the
            # cost), than the bounded walks take to run. SET LOCAL ends with the
            # statement (one implicit transaction): query and settings are sent as one.
            settings = "SET LOCAL max_parallel_workers_per_gather = 0; SET LOCAL jit = off;"
            cursor.execute(f"{settings}\n{sql}", params)
            cursor.nextset()
            cursor.nextset()
        else:
            cursor.execute(sql, params)
        return cursor.fetchall()


def _ranked(terms, reports, *, kind, limit, offset, names_match=True):
    """(rows best first for this page, total matching reports, whether that total is exact)."""
    candidates = CANDIDATES
    while True:
        rows = _candidates(terms, reports, kind, candidates, names_match=names_match)
        best, titles, segment_rows = {}, {}, 0
        for report_id, segment_id, score in rows:
            if segment_id is None:
                titles[report_id] = score
                continue
            segment_rows += 1
            if report_id not in best or score > best[report_id][1]:
                best[report_id] = (segment_id, score)
        # Two segment walks share the window; either one full means there may be more.
        exhausted = segment_rows < candidates and len(titles) < candidates
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
    return ranked, len(ranked), exhausted


def name_candidates(terms, limit=MAX_PEOPLE):
    """Ids of speakers whose name, or whose organization's name, holds every term, best first.

    Public or not: :func:`find_people` keeps the public ones. Empty when no name
    matches, and then the search's people walk is not run.
    """
    if connection.vendor == "postgresql":
        query = tsquery(terms)
        sql, params = _POSTGRES_PEOPLE_SQL, [query, query, query, limit * PEOPLE_CANDIDATES]
    else:
        match = fts5_query(terms)
        sql, params = _SQLITE_PEOPLE_SQL, [match, match, limit * PEOPLE_CANDIDATES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # A person whose name and organization both match comes back twice.
        return list(dict.fromkeys(row[0] for row in cursor.fetchall()))


def find_people(candidates, limit=MAX_PEOPLE):
    """The public speakers among ``candidates`` (from :func:`name_candidates`), in order.

    Visibility is checked for those candidates only (proving every speaker public
    first cost more than the whole search).
    """
    from .models import Speaker

    if not candidates:
        return []
    public = Speaker.objects.public().select_related("organization").in_bulk(candidates)
    return [public[pk] for pk in candidates if pk in public][:limit]


def search(raw_query, reports, *, page=1, per_page=20, kind="", sort="relevance"):
    """Search ``reports`` (a queryset built on ``Report.objects.public()``).

    ``kind`` keeps passages of one segment kind (titles then do not count);
    ``sort`` is ``"relevance"`` or ``"date"`` (newest publication first).
    Five queries whatever the number of hits: the people's candidates and the
    public ones among them (none when no name matches), the ranked ids, the
    reports, the best segment of each.
    """
    from .models import Report, Segment, public_report_exists  # the engines need no models

    terms = parse_query(raw_query)
    if not terms:
        return Results(hits=[], page=1, has_next=False), terms
    named = name_candidates(terms)
    people = find_people(named)
    offset = (page - 1) * per_page
    ranked, total, exact = _ranked(
        terms, reports, kind=kind, limit=per_page + 1, offset=offset, names_match=bool(named)
    )
    report_ids = [row[0] for row in ranked]
    # The ranked ids already passed ``reports``' filters; visibility is checked
    # again (a report may be withdrawn in between) by primary key, row by row.
    if sort == "date":
        by_report = (
            Report.objects.filter(public_report_exists("pk"), pk__in=report_ids)
            .select_related("outlet", "correspondent")
            .order_by("-published_at", "-pk")
        )
        order = {report.pk: index for index, report in enumerate(by_report)}
        by_report = {report.pk: report for report in by_report}
        ranked.sort(key=lambda row: order.get(row[0], len(order)))
        rows = ranked[offset : offset + per_page + 1]
    else:
        rows = ranked[offset : offset + per_page + 1]
        by_report = (
            Report.objects.filter(public_report_exists("pk"))
            .select_related("outlet", "correspondent")
            .order_by()
            .in_bulk([row[0] for row in rows])
        )
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    segment_ids = [row[1] for row in rows if row[1] is not None]
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
    results = Results(
        hits=hits, page=page, has_next=has_next, total=total, total_is_exact=exact, people=people
    )
    return results, terms


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
    # People by name, and organizations by name: no stemming (names are not English
    # words), case and accents folded in every script. Their own content, one row per
    # speaker or organization. Each table's triggers touch only its own index: a trigger
    # that read another table would break a migration that rebuilds that table.
    (
        "CREATE VIRTUAL TABLE IF NOT EXISTS archive_speaker_fts USING fts5("
        "name, tokenize='unicode61 remove_diacritics 2')"
    ),
    (
        "CREATE VIRTUAL TABLE IF NOT EXISTS archive_organization_fts USING fts5("
        "name, tokenize='unicode61 remove_diacritics 2')"
    ),
]

# Every text goes into the index with its undecomposed letters spelled out
# (collation.py): FTS5's unicode61 tokenizer folds case and accents, not "ł" or
# "ß". An external-content table's 'delete' must be given the values that were
# indexed, so it is given the same fold of the old row.
_F = sqlite_fold_letters

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS archive_segment_fts_insert AFTER INSERT ON archive_segment
    BEGIN
        INSERT INTO archive_segment_fts(rowid, speaker_title, text)
        VALUES (new.id, {_F("new.speaker_title")}, {_F("new.text")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS archive_segment_fts_delete AFTER DELETE ON archive_segment
    BEGIN
        INSERT INTO archive_segment_fts(archive_segment_fts, rowid, speaker_title, text)
        VALUES ('delete', old.id, {_F("old.speaker_title")}, {_F("old.text")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS archive_segment_fts_update
    AFTER UPDATE OF speaker_title, text ON archive_segment
    BEGIN
        INSERT INTO archive_segment_fts(archive_segment_fts, rowid, speaker_title, text)
        VALUES ('delete', old.id, {_F("old.speaker_title")}, {_F("old.text")});
        INSERT INTO archive_segment_fts(rowid, speaker_title, text)
        VALUES (new.id, {_F("new.speaker_title")}, {_F("new.text")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS archive_report_fts_insert AFTER INSERT ON archive_report
    BEGIN
        INSERT INTO archive_report_fts(rowid, title) VALUES (new.id, {_F("new.title")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS archive_report_fts_delete AFTER DELETE ON archive_report
    BEGIN
        INSERT INTO archive_report_fts(archive_report_fts, rowid, title)
        VALUES ('delete', old.id, {_F("old.title")});
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS archive_report_fts_update
    AFTER UPDATE OF title ON archive_report
    BEGIN
        INSERT INTO archive_report_fts(archive_report_fts, rowid, title)
        VALUES ('delete', old.id, {_F("old.title")});
        INSERT INTO archive_report_fts(rowid, title) VALUES (new.id, {_F("new.title")});
    END""",
]

SQLITE_TRIGGERS += [
    statement
    for table in ("speaker", "organization")
    for statement in (
        f"""CREATE TRIGGER IF NOT EXISTS archive_{table}_fts_insert AFTER INSERT ON archive_{table}
        BEGIN
            INSERT INTO archive_{table}_fts(rowid, name) VALUES (new.id, {_F("new.name")});
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS archive_{table}_fts_delete AFTER DELETE ON archive_{table}
        BEGIN
            DELETE FROM archive_{table}_fts WHERE rowid = old.id;
        END""",
        f"""CREATE TRIGGER IF NOT EXISTS archive_{table}_fts_update
        AFTER UPDATE OF name ON archive_{table}
        BEGIN
            DELETE FROM archive_{table}_fts WHERE rowid = old.id;
            INSERT INTO archive_{table}_fts(rowid, name) VALUES (new.id, {_F("new.name")});
        END""",
    )
]

SQLITE_TRIGGER_NAMES = [
    "archive_segment_fts_insert",
    "archive_segment_fts_delete",
    "archive_segment_fts_update",
    "archive_report_fts_insert",
    "archive_report_fts_delete",
    "archive_report_fts_update",
    *(
        f"archive_{table}_fts_{event}"
        for table in ("speaker", "organization")
        for event in ("insert", "delete", "update")
    ),
]

# unaccent() is only STABLE (its dictionary could change), so an index cannot
# use it directly; the wrapper names the dictionary and is declared IMMUTABLE,
# the usual way to index unaccented text. unaccent is a trusted extension
# (PostgreSQL 13+): the database's owner may create it.
POSTGRES_FUNCTIONS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE OR REPLACE FUNCTION archive_unaccent(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT unaccent('unaccent'::regdictionary, $1) $$",
]
# Segments keep their vector in a generated column (PostgreSQL computes it on every
# write, whoever writes): ts_rank then reads it instead of re-parsing each candidate's
# text, and ANALYZE keeps statistics on its words, so the planner walks the newest
# rows for a common word and the GIN index for a rare one. Not a model field: only
# PostgreSQL has it, and nothing but search reads it.
POSTGRES_COLUMNS = [
    "ALTER TABLE archive_segment ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS "
    "(to_tsvector('english', archive_unaccent(speaker_title || ' ' || text))) STORED",
]
POSTGRES_INDEXES = [
    "CREATE INDEX IF NOT EXISTS archive_segment_vector_idx ON archive_segment "
    "USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS archive_report_unaccent_search_idx ON archive_report "
    "USING gin (to_tsvector('english', archive_unaccent(title)))",
    # Names: without them every search parsed every speaker's name (20 ms at 2,000).
    "CREATE INDEX IF NOT EXISTS archive_speaker_name_search_idx ON archive_speaker "
    "USING gin (to_tsvector('simple', archive_unaccent(name)))",
    "CREATE INDEX IF NOT EXISTS archive_organization_name_search_idx ON archive_organization "
    "USING gin (to_tsvector('simple', archive_unaccent(name)))",
]
# Before migration 0011: English stemming, accents kept (and an expression index).
POSTGRES_OLD_INDEXES = [
    "archive_segment_search_idx",
    "archive_report_search_idx",
    "archive_segment_unaccent_search_idx",
]


def install_index(conn, *, rebuild=False):
    """Create the search index and (SQLite) its triggers; idempotent."""
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            created = not _sqlite_table_exists(cursor, "archive_organization_fts")
            for statement in SQLITE_TABLES + SQLITE_TRIGGERS:
                cursor.execute(statement)
            if created or rebuild:
                rebuild_sqlite_index(cursor)
        elif conn.vendor == "postgresql":
            for name in POSTGRES_OLD_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            for statement in POSTGRES_FUNCTIONS + POSTGRES_COLUMNS + POSTGRES_INDEXES:
                cursor.execute(statement)


def rebuild_sqlite_index(cursor):
    """Index every row again, folded as the triggers fold (FTS5's own 'rebuild' would not)."""
    for table, columns in (("segment", ("speaker_title", "text")), ("report", ("title",))):
        fts = f"archive_{table}_fts"
        cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('delete-all')")
        folded = ", ".join(_F(column) for column in columns)
        cursor.execute(
            f"INSERT INTO {fts}(rowid, {', '.join(columns)}) "
            f"SELECT id, {folded} FROM archive_{table}"
        )
    for table in ("speaker", "organization"):
        cursor.execute(f"DELETE FROM archive_{table}_fts")
        cursor.execute(
            f"INSERT INTO archive_{table}_fts(rowid, name) "
            f"SELECT id, {_F('name')} FROM archive_{table}"
        )


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
            cursor.execute("DROP TABLE IF EXISTS archive_speaker_fts")
            cursor.execute("DROP TABLE IF EXISTS archive_organization_fts")
        elif conn.vendor == "postgresql":
            for name in POSTGRES_OLD_INDEXES:
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
            for name in (
                "archive_segment_vector_idx",
                "archive_report_unaccent_search_idx",
                "archive_speaker_name_search_idx",
                "archive_organization_name_search_idx",
            ):
                cursor.execute(f"DROP INDEX IF EXISTS {name}")


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
