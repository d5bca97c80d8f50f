"""`make bench-scale`: every public page, the search, the feeds, the sitemap
and the admin's changelist at 10,000, 100,000 and 1,000,000 reports.

For each size (PostgreSQL at 10k, 100k and 1M; SQLite at 10k and 100k) a
worker process builds the archive (about 10 segments and 3 quotes per
report, one organization per 10 reports of which 8 are outlets, one speaker
per 5 reports, fixed seed; rows generated in Python and written with ``COPY``
on PostgreSQL, ``executemany`` on SQLite, with the search index and the
page-cache triggers put back afterwards), then times every page with
Django's test client in process, DEBUG off: p50 and p95 cold (the page cache
emptied before each request: rendered) and warm (served from the page
cache), with the queries of a cold request. This process prints the table,
the ratio of each page's cost at the largest size to the smallest, and
PASS/FAIL for the targets of issue 15 at the largest PostgreSQL size:

- every public page under 50 ms p95 cold;
- the admin's changelist, its filters and its search under 300 ms p95;
- the warm path under 3 ms p50 at every size;
- no page's cold p50 growing more than 1.5 times from the smallest size;
- the sitemap lists every public report.

Then the importer on PostgreSQL: 10,000 generated transcripts (scripts/bench_import.py's
generator) through ``import_transcripts``, against ``loaddata`` and ``COPY`` of the same
rows, in rows per second.

    .venv/bin/python -m scripts.bench_scale [--pg 10000,100000,1000000] [--sqlite 10000,100000]
        [--requests 50] [--keep] [--no-import]

PostgreSQL databases: ra_scale_bench_<size> (re-created unless --keep finds one
complete), ra_scale_bench_import, _loaddata, _copy; at BENCH_SCALE_SERVER
(default postgresql://postgres@127.0.0.1:5432); BENCH_SCALE_DATABASE=ra_mine names them
ra_mine_<size> instead. SQLite files under var/. ``--page speakers --page "reports by
outlet"`` times only the pages so named (as in the table).
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_SCALE_SERVER", "postgresql://postgres@127.0.0.1:5432")
# Database names start with this (several people benchmarking on one server each pick their own).
DATABASE_PREFIX = os.environ.get("BENCH_SCALE_DATABASE", "ra_scale_bench")
SEED = 20261201
OUTLETS = 8
TOPICS = 40
CORRESPONDENTS = 200
SEGMENTS_PER_REPORT = 10
QUOTED_POSITIONS = (2, 4, 6)  # the sound bites, each quoted once
SENTENCE_POOL = 20_011  # distinct segment texts, reused by a stride
RARE_WORD = "quetzalcoatlus"
RARE_SEGMENTS = 12
TIME_BUDGET = 20.0  # seconds of requests per page, size and cold or warm (BENCH_SCALE_BUDGET)
STATEMENT_TIMEOUT = "30s"  # PostgreSQL: a page slower than this is reported as HTTP 500

PUBLIC_P95_MS = 50
ADMIN_P95_MS = 300
WARM_P50_MS = 3
GROWTH = 1.5


RESULTS = ROOT / "var" / "bench-scale-results.json"


def database_url(engine, size, suffix=""):
    if engine == "postgresql":
        return f"{SERVER}/{DATABASE_PREFIX}_{size}{suffix}"
    return f"sqlite:///{ROOT / 'var' / f'bench-scale-{size}.sqlite3'}"


# --- the worker: build one archive and time it ---------------------------------------


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "scripts.bench_settings"
    os.environ.setdefault("CONN_MAX_AGE", "600")
    import django

    django.setup()


def recreate_postgres(url):
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        conn.execute(f"ALTER DATABASE \"{name}\" SET statement_timeout = '{STATEMENT_TIMEOUT}'")


def plan(size):
    organizations = OUTLETS + size // 10
    speakers = max(2_000, size // 5)
    return {"reports": size, "organizations": organizations, "speakers": speakers}


def sentences(rng):
    from scripts.bench_import import WORDS

    pool = []
    for _ in range(SENTENCE_POOL):
        words = rng.choices(WORDS, k=rng.randint(14, 28))
        pool.append(" ".join(words).capitalize() + ".")
    return pool


def people(rng, count):
    from scripts.bench_import import FIRST, LAST

    return [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(count)]


def report_rows(size, now, rng, pool):
    span = timedelta(days=3650).total_seconds()
    for i in range(1, size + 1):
        kind = i % 100
        published_at = now - timedelta(seconds=(size - i + 1) * span / size)
        status = "published"
        if 90 <= kind < 95:
            status, published_at = "draft", None
        elif 95 <= kind < 98:
            status, published_at = "review", None
        elif kind == 98:
            published_at = now + timedelta(days=1 + i % 30)  # scheduled
        elif kind == 99:
            status = "withdrawn"
        title = " ".join(pool[i % SENTENCE_POOL].split()[:6]).rstrip(".") + f" {i}"
        yield (
            i, title, f"report-{i}", 1 + i % OUTLETS, 1 + i % CORRESPONDENTS, "Capital",
            timedelta(seconds=60 + i % 540), status, published_at,
            "Retracted by the outlet." if status == "withdrawn" else "", "", "", "",
            "en", "", "", now, now,
        )  # fmt: skip


REPORT_COLUMNS = (
    "id, title, slug, outlet_id, correspondent_id, dateline, duration, status, published_at, "
    "withdrawal_reason, source_name, source_text, source_checksum, "
    "language, source_url, media_url, created_at, updated_at"
)
SEGMENT_COLUMNS = (
    "id, report_id, position, kind, speaker_id, speaker_title, text, speaker_basis, needs_review"
)
QUOTE_COLUMNS = "id, segment_id, speaker_id, text, featured, matches_source, created_at"


def segment_text(report_id, position, pool):
    return pool[(report_id * 31 + position * 17) % SENTENCE_POOL]


def segment_rows(size, speakers, pool, rare):
    kinds = {1: "intro", SEGMENTS_PER_REPORT: "signoff"}
    for report_id in range(1, size + 1):
        for position in range(1, SEGMENTS_PER_REPORT + 1):
            segment_id = (report_id - 1) * SEGMENTS_PER_REPORT + position
            if position % 2 == 0 and position < SEGMENTS_PER_REPORT:
                kind = "soundbite"
                speaker = (
                    CORRESPONDENTS + 1 + (report_id * 7 + position) % (speakers - CORRESPONDENTS)
                )
                title = "MINISTER OF TRADE"
            else:
                kind, speaker, title = (
                    kinds.get(position, "narration"),
                    1 + report_id % CORRESPONDENTS,
                    "",
                )
            text = segment_text(report_id, position, pool)
            if segment_id in rare:
                text = f"{text} A {RARE_WORD} was sighted."
            yield (segment_id, report_id, position, kind, speaker, title, text, "", False)


def quote_rows(size, speakers, pool, now):
    quote_id = 0
    for report_id in range(1, size + 1):
        for position in QUOTED_POSITIONS:
            quote_id += 1
            segment_id = (report_id - 1) * SEGMENTS_PER_REPORT + position
            speaker = CORRESPONDENTS + 1 + (report_id * 7 + position) % (speakers - CORRESPONDENTS)
            text = " ".join(segment_text(report_id, position, pool).split()[:8])
            yield (quote_id, segment_id, speaker, text, report_id % 500 == 0, True, now)


def sqlite_value(value):
    """What Django's SQLite backend stores: naive UTC text, microseconds, 0/1."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, timedelta):
        return value // timedelta(microseconds=1)
    return value


def build(engine, size):
    """Build the archive of ``size`` reports in the configured database; return counts."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from archive import caching, search
    from archive.collation import name_sort_key

    started = time.perf_counter()
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")  # index builds take minutes at 1M
    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    counts = plan(size)
    pool = sentences(rng)
    names = people(rng, counts["speakers"])
    total_segments = size * SEGMENTS_PER_REPORT
    rare = set(rng.sample(range(1, total_segments + 1), RARE_SEGMENTS))
    tables = {
        "archive_organization": (
            "id, name, slug",
            ((i, f"Outlet {i}" if i <= OUTLETS else f"Organization {i}", f"org-{i}")
             for i in range(1, counts["organizations"] + 1)),
        ),
        "archive_topic": (
            "id, name, slug", ((i, f"Topic {i}", f"topic-{i}") for i in range(1, TOPICS + 1))
        ),
        "archive_speaker": (
            "id, name, slug, role, organization_id, sort_name",
            ((i, names[i - 1], f"speaker-{i}", "Minister",
              OUTLETS + 1 + i % (counts["organizations"] - OUTLETS), name_sort_key(names[i - 1]))
             for i in range(1, counts["speakers"] + 1)),
        ),
        "archive_report": (REPORT_COLUMNS, report_rows(size, now, rng, pool)),
        "archive_report_topics": (
            "report_id, topic_id",
            ((i, 1 + (i + k) % TOPICS) for i in range(1, size + 1) for k in (0, 7)),
        ),
        "archive_segment": (SEGMENT_COLUMNS, segment_rows(size, counts["speakers"], pool, rare)),
        "archive_quote": (QUOTE_COLUMNS, quote_rows(size, counts["speakers"], pool, now)),
    }  # fmt: skip
    caching.uninstall_triggers(connection)
    search.uninstall_index(connection)
    with transaction.atomic(), connection.cursor() as cursor:
        if engine == "postgresql":
            # The rows are consistent by construction: checking each foreign key at
            # commit (Django's are deferred) would cost 30 million probes at 1M.
            cursor.execute("SET LOCAL session_replication_role = replica")
        for table, (columns, rows) in tables.items():
            if engine == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns.split(",")))
                batch = []
                for row in rows:
                    batch.append(tuple(sqlite_value(value) for value in row))
                    if len(batch) == 50_000:
                        cursor.executemany(
                            f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch
                        )
                        batch = []
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
            print(f"  {table}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if engine == "postgresql":
            for table in tables:
                if table != "archive_report_topics":
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
            cursor.execute("SET maintenance_work_mem = '512MB'")
    search.install_index(connection, rebuild=True)
    caching.install_triggers(connection)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if engine == "postgresql" else "ANALYZE")
        if engine == "postgresql":
            cursor.execute("RESET statement_timeout")
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("bench", "bench@example.org", "bench")
    print(f"  built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return {**counts, "segments": total_segments, "quotes": size * len(QUOTED_POSITIONS)}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def pages(size):
    """name → (kind, [urls]); several URLs spread the timings over the archive."""
    rng = random.Random(SEED + size)
    published = [i for i in range(1, size + 1) if i % 100 < 90]
    sample = rng.sample(published, 50)
    quote_ids = [(i - 1) * len(QUOTED_POSITIONS) + 1 for i in sample]
    speakers = [CORRESPONDENTS + 1 + (i * 7 + 2) % (plan(size)["speakers"] - CORRESPONDENTS)
                for i in sample]  # fmt: skip
    year = datetime.now(UTC).year - 3
    from archive.sitemaps import PAGE_SIZE

    last_sitemap_page = max(1, -(-size // PAGE_SIZE))
    public = {
        "home": ["/"],
        "reports, page 1": ["/reports/"],
        "reports, page 2..50": [f"/reports/?page={p}" for p in (2, 10, 25, 50)],
        "reports, page 4000 (capped)": ["/reports/?page=4000"],
        "reports by outlet": [f"/reports/?outlet=org-{n}" for n in range(1, OUTLETS + 1)],
        "reports by topic": [f"/reports/?topic=topic-{n}" for n in range(1, 11)],
        "reports by year": [f"/reports/?year={year}"],
        "reports by speaker": [f"/reports/?speaker=speaker-{s}" for s in speakers[:10]],
        "report": [f"/reports/report-{i}/" for i in sample],
        "report citation": [f"/reports/report-{i}/cite.bib" for i in sample],
        "speakers": ["/speakers/", "/speakers/?page=2"],
        "speaker": [f"/speakers/speaker-{s}/" for s in speakers],
        "quotes": ["/quotes/", "/quotes/?page=2"],
        "quote": [f"/quotes/{q}/" for q in quote_ids],
        "topic": [f"/topics/topic-{n}/" for n in range(1, 11)],
        "search, rare word": [f"/search/?q={RARE_WORD}"],
        "search, common word": ["/search/?q=government"],
        "search, phrase": ["/search/?q=%22the+government%22"],
        "search, prefix": ["/search/?q=govern*"],
        "search, name": ["/search/?q=Amira+Haddad"],
        "feed": ["/feeds/reports/"],
        "sitemap index": ["/sitemap.xml"],
        "sitemap, reports page": [f"/sitemap-reports.xml?p={p}" for p in (1, last_sitemap_page)],
        "sitemap, quotes page": ["/sitemap-quotes.xml?p=1"],
        "sitemap, speakers page": ["/sitemap-speakers.xml"],
    }
    changelist = "/admin/archive/report/"
    admin = {
        "admin changelist": [changelist],
        "admin: by status": [f"{changelist}?status__exact=published"],
        "admin: by outlet": [f"{changelist}?outlet__id__exact={n}" for n in (1, 5)],
        "admin: by topic": [f"{changelist}?topic={n}" for n in (1, 20)],
        "admin: by date": [f"{changelist}?published_at__gte={year}-01-01"
                           f"&published_at__lt={year}-12-31"],
        "admin: mismatched quotes": [f"{changelist}?quotes=mismatched"],
        "admin: search, segment text": [f"{changelist}?q=government",
                                        f"{changelist}?q={RARE_WORD}"],
    }  # fmt: skip
    return {
        **{name: ("public", urls) for name, urls in public.items()},
        **{name: ("admin", urls) for name, urls in admin.items()},
    }


def time_requests(client, urls, count, clear=None):
    budget = float(os.environ.get("BENCH_SCALE_BUDGET", TIME_BUDGET))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, statuses, spent = [], None, set(), 0.0
    for n in range(count):
        url = urls[n % len(urls)]
        if clear:
            clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        if queries is None:
            queries = len(captured)
        statuses.add(response.status_code)
        times.append(elapsed * 1000)
        spent += elapsed
        if spent > budget:
            break
    return {"p50": statistics.median(times), "p95": percentile(times, 0.95), "n": len(times),
            "queries": queries, "statuses": sorted(statuses)}  # fmt: skip


def sitemap_lists_every_public_report(client):
    from archive.models import Report

    index = client.get("/sitemap.xml").text
    listed = 0
    for chunk in index.split("<loc>")[1:]:
        url = chunk.split("</loc>")[0].removeprefix("http://testserver")
        if "sitemap-reports.xml" in url:
            listed += client.get(url).text.count("<url>")
    public = Report.objects.public().count()
    return {"listed": listed, "public": public}


def measure(size, requests, only=()):
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.test import Client

    from archive.caching import CACHE_ALIAS

    page_cache = caches[CACHE_ALIAS]
    reader, editor = Client(raise_request_exception=False), Client(raise_request_exception=False)
    editor.force_login(get_user_model().objects.get(username="bench"))
    results = {}
    for name, (kind, urls) in pages(size).items():
        if only and name not in only:
            continue
        client = reader if kind == "public" else editor
        for url in urls:  # connections, templates and code paths warmed once
            client.get(url)
        row = {"kind": kind, "cold": time_requests(client, urls, requests, page_cache.clear)}
        if kind == "public":
            for url in urls:
                client.get(url)
            row["warm"] = time_requests(client, urls, requests)
        results[name] = row
        print(f"  {name}: {row['cold']['p50']:.1f} ms", file=sys.stderr)
    return results


def worker(engine, size, requests, keep, build_only=False, only=()):
    url = database_url(engine, size)
    marker = ROOT / "var" / f"bench-scale-{engine}-{DATABASE_PREFIX}-{size}.built"
    fresh = not (keep and marker.exists())
    if fresh:
        marker.unlink(missing_ok=True)
        if engine == "postgresql":
            recreate_postgres(url)
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    setup_django(url)
    started = time.perf_counter()
    counts = build(engine, size) if fresh else {"reused": True}
    marker.parent.mkdir(exist_ok=True)
    marker.write_text("built\n")
    build_seconds = time.perf_counter() - started
    if build_only:
        return {"counts": counts, "build_seconds": build_seconds}
    from django.test import Client

    results = measure(size, requests, only)
    sitemap = sitemap_lists_every_public_report(Client())
    return {"counts": counts, "build_seconds": build_seconds, "pages": results, "sitemap": sitemap}


# --- the importer on PostgreSQL -------------------------------------------------------


def manage(url, *args, stdin=None):
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


ROW_TABLES = ["archive_organization", "archive_topic", "archive_speaker", "archive_report",
              "archive_report_topics", "archive_segment", "archive_quote"]  # fmt: skip


def count_rows(url):
    import psycopg

    with psycopg.connect(url) as conn:
        return sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ROW_TABLES)


def bench_importer(transcripts):
    import psycopg

    from scripts.bench_import import write_archive

    urls = {name: f"{SERVER}/{DATABASE_PREFIX}_{name}" for name in ("import", "loaddata", "copy")}
    for url in urls.values():
        recreate_postgres(url)
        manage(url, "migrate", "--noinput")
    work = Path(tempfile.mkdtemp(prefix="scale-import-"))
    (work / "transcripts").mkdir()
    write_archive(work / "transcripts", transcripts=transcripts, speakers=2_000, seed=SEED)
    imported = manage(urls["import"], "import_transcripts", str(work / "transcripts"))
    rows = count_rows(urls["import"])
    dump = work / "archive.json"
    env = {**os.environ, "DATABASE_URL": urls["import"], "DEBUG": "1"}
    with dump.open("w") as out:
        subprocess.run([sys.executable, "manage.py", "dumpdata", "archive.organization",
                        "archive.topic", "archive.speaker", "archive.report", "archive.segment",
                        "archive.quote", "--natural-foreign", "--natural-primary"],
                       cwd=ROOT, env=env, check=True, stdout=out)  # fmt: skip
    loaded = manage(urls["loaddata"], "loaddata", str(dump))
    with psycopg.connect(urls["import"]) as source, psycopg.connect(urls["copy"]) as target:
        started = time.perf_counter()
        for table in ROW_TABLES:
            with (
                source.cursor().copy(f"COPY {table} TO STDOUT") as out,
                target.cursor().copy(f"COPY {table} FROM STDIN") as into,
            ):
                for block in out:
                    into.write(block)
        target.commit()
        copied = time.perf_counter() - started
    return {"transcripts": transcripts, "rows": rows, "import_s": imported,
            "loaddata_s": loaded, "copy_s": copied}  # fmt: skip


# --- the report -----------------------------------------------------------------------


def verdict(passed):
    return "PASS" if passed else "FAIL"


def print_report(runs, importer):
    if not runs:
        print("FAIL  no archive was measured")
        return False
    names = list(next(iter(runs.values()))["pages"])
    columns = list(runs)
    print("\n## Cold p50 / p95 ms (queries), warm p50 ms\n")
    print("| page | " + " | ".join(columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for name in names:
        cells = []
        for column in columns:
            row = runs[column]["pages"][name]
            cold = row["cold"]
            cell = f"{cold['p50']:.1f} / {cold['p95']:.1f} ({cold['queries']}q)"
            if "warm" in row:
                cell += f", warm {row['warm']['p50']:.2f}"
            if cold["statuses"] != [200]:
                cell += f" HTTP {cold['statuses']}"
            cells.append(cell)
        print(f"| {name} | " + " | ".join(cells) + " |")
    checks = []
    pg = [c for c in columns if c.startswith("postgresql")]
    if pg:
        smallest, largest = runs[pg[0]]["pages"], runs[pg[-1]]["pages"]
        print(f"\n## Ratio of cold p50, {pg[-1]} to {pg[0]}\n")
        for name in names:
            ratio = largest[name]["cold"]["p50"] / max(smallest[name]["cold"]["p50"], 0.001)
            checks.append((ratio <= GROWTH, f"{name}: ×{ratio:.2f} (target ≤ {GROWTH})"))
            kind = largest[name]["kind"]
            p95 = largest[name]["cold"]["p95"]
            target = PUBLIC_P95_MS if kind == "public" else ADMIN_P95_MS
            checks.append((p95 < target, f"{name}: p95 {p95:.1f} ms at {pg[-1]} (< {target})"))
        for column in pg:
            warm = [(n, r["warm"]["p50"]) for n, r in runs[column]["pages"].items() if "warm" in r]
            slowest = max(warm, key=lambda item: item[1])
            checks.append((slowest[1] < WARM_P50_MS,
                           f"warm p50 at {column}: slowest {slowest[0]} {slowest[1]:.2f} ms "
                           f"(< {WARM_P50_MS})"))  # fmt: skip
    for column in columns:
        sitemap = runs[column]["sitemap"]
        checks.append((sitemap["listed"] == sitemap["public"],
                       f"sitemap at {column}: {sitemap['listed']:,} of {sitemap['public']:,} "
                       "public reports"))  # fmt: skip
    print("\n## Targets\n")
    for passed, text in checks:
        print(f"{verdict(passed)}  {text}")
    if importer:
        rows = importer["rows"]
        print(
            f"\n## Importer on PostgreSQL, {importer['transcripts']:,} transcripts, {rows:,} rows\n"
        )
        for name in ("import", "loaddata", "copy"):
            seconds = importer[f"{name}_s"]
            print(f"{name:>9}: {seconds:7.1f} s  {rows / seconds:10,.0f} rows/s")
    print("\nNo API and no data package export exist on this branch: not measured.")
    return all(passed for passed, _ in checks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="10000,100000,1000000")
    parser.add_argument("--sqlite", default="10000,100000")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="reuse archives already built")
    parser.add_argument("--no-import", action="store_true", help="skip the importer's figures")
    parser.add_argument("--build-only", action="store_true", help="build, time nothing")
    parser.add_argument("--import-transcripts", type=int, default=10_000)
    parser.add_argument("--page", action="append", default=[], help="time only this page")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, size = args.worker[0], int(args.worker[1])
        result = worker(engine, size, args.requests, args.keep, args.build_only, args.page)
        print(json.dumps(result))
        return 0
    runs = {}
    for engine, sizes in (("postgresql", args.pg), ("sqlite", args.sqlite)):
        for size in [int(s) for s in sizes.split(",") if s.strip()]:
            print(f"== {engine}, {size:,} reports", file=sys.stderr)
            command = [sys.executable, "-m", "scripts.bench_scale", "--worker", engine,
                       str(size), "--requests", str(args.requests)]  # fmt: skip
            command += ["--keep"] if args.keep else []
            command += ["--build-only"] if args.build_only else []
            command += [option for name in args.page for option in ("--page", name)]
            result = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            if result.returncode != 0:
                print(f"FAIL  {engine} at {size:,} reports: the worker failed (above)")
                continue
            runs[f"{engine} {size:,}"] = json.loads(result.stdout.strip().splitlines()[-1])
            RESULTS.write_text(json.dumps(runs))  # kept if a later step fails
    if args.build_only:
        return 0
    importer = None if args.no_import else bench_importer(args.import_transcripts)
    return 0 if print_report(runs, importer) else 1


if __name__ == "__main__":
    sys.exit(main())
