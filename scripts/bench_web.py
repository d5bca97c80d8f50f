"""`make bench-web`: server time, queries, search latency and throughput of the public site.

Builds var/bench.sqlite3 (10,000 reports and 100,000 segments, then 1,000,000
segments for search; fixed seed, raw executemany in one transaction), and prints
in one run:

- p50/p95 server time and queries per page (django.test.Client, in process);
- search latency for common and rare terms against a plain LIKE scan of the
  same rows (the ratio);
- requests per second of /reports/ under gunicorn against a hello-world view
  served by the same gunicorn;
- then, in a child process (``--postgres``), the same search figures on
  PostgreSQL at ``BENCH_POSTGRES_URL`` (default
  postgresql://postgres@127.0.0.1:5432/ra_bench_web, dropped and re-created),
  with the same 1,000,000 segments; skipped with a note when it does not answer.

Usage: python -m scripts.bench_web [--keep] [--postgres] [--search]
       (--keep reuses an existing database; --postgres measures search on PostgreSQL only;
       --search measures search alone, on SQLite then PostgreSQL)
"""

import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DB_PATH = BASE_DIR / "var" / "bench.sqlite3"
POSTGRES = "--postgres" in sys.argv
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/ra_bench_web"
)
os.environ["DATABASE_URL"] = POSTGRES_URL if POSTGRES else f"sqlite:///{DB_PATH}"
os.environ["DJANGO_SETTINGS_MODULE"] = "scripts.bench_settings"


def postgres_answers():
    import psycopg

    try:
        psycopg.connect(POSTGRES_URL.rsplit("/", 1)[0] + "/postgres", connect_timeout=3).close()
    except psycopg.Error:
        return False
    return True


def recreate_postgres_database():
    import psycopg

    name = POSTGRES_URL.rsplit("/", 1)[1]
    admin_url = POSTGRES_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from archive import caching, search  # noqa: E402
from archive.models import Report  # noqa: E402

SEED = 20240501
REPORTS = 10_000
SEGMENTS_PER_REPORT_PAGES = 10  # 100,000 segments for the page timings
SEGMENTS_PER_REPORT_SEARCH = 100  # 1,000,000 segments for search
RARE_WORD = "quetzalcoatlus"
RARE_COUNT = 12
COMMON_WORD = "government"

_WORDS_TEXT = (
    "the of and to in a is that for on with as by at from was it be this are have has were "
    "an or but not they which their been more will would about after also over said year "
    "government minister president people country talks trade economy energy oil gas market "
    "prices city police court election vote party leader military troops border security "
    "health hospital school students workers union strike factory company investors bank "
    "growth technology startup science research space climate water storm flood drought "
    "farmers harvest exports imports sanctions summit agreement treaty protest crowd square "
    "capital region village bridge road railway port airport ship cargo pipeline reactor "
    "power grid solar wind coal mine steel aluminium copper nickel lithium cobalt tungsten"
)
WORDS = _WORDS_TEXT.split()


def sqlite_time(value):
    """Django's SQLite storage format for an aware UTC datetime."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def zipf_words(rng, count):
    # Heavier weights on the first words, as in real text.
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    return rng.choices(WORDS, weights=weights, k=count)


def drop_indexes_for_bulk_load(cursor):
    """Bulk load first, then one index build (SQLite: triggers; PostgreSQL: GIN indexes)."""
    if connection.vendor == "sqlite":
        search.drop_sqlite_triggers(cursor)
        caching.drop_sqlite_triggers(cursor)
    else:
        search.uninstall_index(connection)
        caching.uninstall_triggers(connection)


def rebuild_indexes(cursor):
    if connection.vendor == "sqlite":
        search.rebuild_sqlite_index(cursor)


def duration(microseconds):
    # SQLite stores a DurationField as microseconds; PostgreSQL as an interval.
    return microseconds if connection.vendor == "sqlite" else timedelta(microseconds=microseconds)


def build_database(keep):
    if keep and (POSTGRES or DB_PATH.exists()):
        print(f"reusing {POSTGRES_URL if POSTGRES else DB_PATH.relative_to(BASE_DIR)}")
        call_command("migrate", verbosity=0)  # a database from before a new migration
        return
    if not POSTGRES:
        DB_PATH.parent.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        drop_indexes_for_bulk_load(cursor)
        cursor.executemany(
            "INSERT INTO archive_organization (id, name, slug) VALUES (%s, %s, %s)",
            [(i, f"Outlet {i}", f"outlet-{i}") for i in range(1, 51)],
        )
        cursor.executemany(
            "INSERT INTO archive_topic (id, name, slug) VALUES (%s, %s, %s)",
            [(i, f"Topic {i}", f"topic-{i}") for i in range(1, 41)],
        )
        cursor.executemany(
            "INSERT INTO archive_speaker (id, name, slug, role, organization_id, sort_name) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (i, f"Speaker {i}", f"speaker-{i}", "Minister", rng.randint(1, 50), f"speaker {i}")
                for i in range(1, 2001)
            ],
        )
        statuses = ["published"] * 9 + ["draft"]
        reports = []
        for i in range(1, REPORTS + 1):
            status = statuses[i % 10]
            published = now - timedelta(hours=i * 7)
            title = " ".join(zipf_words(rng, 7)).capitalize() + f" {i}"
            reports.append(
                (
                    i, title, f"report-{i}", rng.randint(1, 50), rng.randint(1, 2000),
                    "Capital", duration(rng.randint(60, 600) * 1_000_000),
                    status, sqlite_time(published), "", "en-US", "", "", "", "", "",
                    sqlite_time(now), sqlite_time(now),
                )
            )  # fmt: skip
        cursor.executemany(
            "INSERT INTO archive_report (id, title, slug, outlet_id, correspondent_id, dateline,"
            " duration, status, published_at, withdrawal_reason, language, source_name,"
            " source_text, source_checksum, source_url, media_url, created_at, updated_at)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            reports,
        )
        cursor.executemany(
            "INSERT INTO archive_report_topics (report_id, topic_id) VALUES (%s, %s)",
            [(i, 1 + (i + k) % 40) for i in range(1, REPORTS + 1) for k in (0, 7)],
        )
        insert_segments(cursor, rng, 1, SEGMENTS_PER_REPORT_PAGES)
        cursor.executemany(
            "INSERT INTO archive_quote (segment_id, speaker_id, text, featured, matches_source,"
            " created_at) SELECT id, speaker_id, substr(text, 1, 40), %s, TRUE, %s"
            " FROM archive_segment WHERE report_id = %s AND position = 1",
            [(i % 50 == 0, sqlite_time(now), i) for i in range(1, REPORTS + 1)],
        )
        rebuild_indexes(cursor)
    search.install_index(connection)
    caching.install_triggers(connection)
    print(f"generated {REPORTS:,} reports, {count_segments():,} segments "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip


def insert_segments(cursor, rng, first_position, last_position):
    kinds = ["narration", "soundbite", "narration", "soundbite", "standup"]
    rows = []
    for report_id in range(1, REPORTS + 1):
        for position in range(first_position, last_position + 1):
            kind = kinds[position % len(kinds)]
            speaker = rng.randint(1, 2000) if kind == "soundbite" else None
            text = " ".join(zipf_words(rng, 30)).capitalize() + "."
            rows.append((report_id, position, kind, speaker, "MINISTER" if speaker else "", text))
    # A rare word in a dozen segments, for the rare-term search.
    for index in rng.sample(range(len(rows)), RARE_COUNT):
        row = rows[index]
        rows[index] = (*row[:5], f"{row[5]} {RARE_WORD} sighted.")
    cursor.executemany(
        "INSERT INTO archive_segment (report_id, position, kind, speaker_id, speaker_title, text)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        rows,
    )


def grow_to_search_size():
    if count_segments() >= REPORTS * SEGMENTS_PER_REPORT_SEARCH:
        return
    started = time.perf_counter()
    rng = random.Random(SEED + 1)
    with transaction.atomic(), connection.cursor() as cursor:
        drop_indexes_for_bulk_load(cursor)
        insert_segments(cursor, rng, SEGMENTS_PER_REPORT_PAGES + 1, SEGMENTS_PER_REPORT_SEARCH)
        rebuild_indexes(cursor)
    search.install_index(connection)
    caching.install_triggers(connection)
    print(f"grew to {count_segments():,} segments in {time.perf_counter() - started:.1f} s")


def count_segments():
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM archive_segment")
        return cursor.fetchone()[0]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def time_pages(rounds=200):
    """Cold (cache emptied before each request) and warm figures over spread URLs.

    Each page is asked for under up to ``rounds`` distinct URLs (200 different
    reports, speakers, list pages...): warm figures are for URLs already asked
    once since the last write, cold ones for a first request after a write.
    """
    client = Client()
    page_cache = caches[caching.CACHE_ALIAS]
    published = list(Report.objects.public().values_list("slug", flat=True)[:rounds])
    spread = {
        "home": ["/"],
        "report list": ["/reports/"],
        "report list pages": [f"/reports/?page={n}" for n in range(2, 202)],
        "report list filtered": [
            f"/reports/?topic=topic-{t}&year={y}" for t in range(1, 41) for y in range(2019, 2024)
        ],
        "report detail": [f"/reports/{slug}/" for slug in published],
        "speaker list": ["/speakers/"],
        "speaker detail": [f"/speakers/speaker-{n}/" for n in range(1, rounds + 1)],
        "quote list": ["/quotes/"],
        "topic": [f"/topics/topic-{n}/" for n in range(1, 41)],
        "search (rare)": [f"/search/?q={RARE_WORD}"],
        "feed": ["/feeds/reports/"],
        "citation (bib)": [f"/reports/{slug}/cite.bib" for slug in published],
    }
    print(f"\nPages at {REPORTS:,} reports, {count_segments():,} segments "
          f"(in-process Client; cold = cache emptied before each request, "
          f"warm = URL asked before; {rounds} requests each)")  # fmt: skip
    print(f"{'page':22} {'URLs':>5} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} "
          f"{'warm p95':>9} {'q cold':>7} {'q warm':>7}")  # fmt: skip
    results = {}
    for name, urls in spread.items():
        for url in urls[:5]:  # warm Python and SQLite
            client.get(url)
        cold, warm = [], []
        for i in range(rounds):
            url = urls[i % len(urls)]
            page_cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            cold.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        for url in urls[:rounds]:
            client.get(url)
        for i in range(rounds):
            url = urls[i % len(urls)]
            started = time.perf_counter()
            response = client.get(url)
            warm.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        page_cache.clear()
        with CaptureQueriesContext(connection) as cold_queries:
            client.get(urls[0])
        with CaptureQueriesContext(connection) as warm_queries:
            client.get(urls[0])
        figures = [percentile(cold, 0.5), percentile(cold, 0.95)]
        figures += [percentile(warm, 0.5), percentile(warm, 0.95)]
        results[name] = figures
        print(f"{name:22} {len(urls[:rounds]):5d} " + " ".join(f"{f:9.2f}" for f in figures)
              + f" {len(cold_queries):7d} {len(warm_queries):7d}")  # fmt: skip
    return results


def time_search():
    reports = Report.objects.public()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"\nSearch on {connection.vendor} at {count_segments():,} segments "
          "(p50 of repeated runs, ms)")  # fmt: skip
    print(f"{'term':18} {'hits':>6} {'FTS':>9} {'LIKE':>9} {'LIKE/FTS':>9}")
    figures = {}
    for label, word in (("rare", RARE_WORD), ("common", COMMON_WORD)):
        fts_times = []
        for _ in range(15):
            started = time.perf_counter()
            results, _ = search.search(word, reports)
            fts_times.append((time.perf_counter() - started) * 1000)
        like_times = []
        for _ in range(3):
            started = time.perf_counter()
            search.like_scan(word, reports)
            like_times.append((time.perf_counter() - started) * 1000)
        fts, like = statistics.median(fts_times), statistics.median(like_times)
        figures[label] = (fts, like)
        hits = len(results.hits)
        print(f"{label + ' (' + word + ')':18} {hits:6d} {fts:9.2f} {like:9.1f} {like / fts:8.0f}x")
    return figures


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(port, path, seconds=4.0, threads=8, max_requests=40_000):
    """Requests per second from `threads` clients, bounded in time and count."""
    done = [0] * threads
    errors = [0] * threads
    deadline = time.perf_counter() + seconds

    def worker(index):
        while time.perf_counter() < deadline and sum(done) < max_requests:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    done[index] += 1
                else:
                    errors[index] += 1
            except OSError:
                errors[index] += 1
            finally:
                conn.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(done) / (time.perf_counter() - started), sum(errors)


def time_throughput(workers=4):
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "scripts.bench_settings"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=BASE_DIR, env=env,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        load(port, "/bench-hello/", seconds=1)  # warm every worker
        load(port, "/reports/", seconds=1)
        hello, hello_errors = load(port, "/bench-hello/")
        reports, report_errors = load(port, "/reports/")
        fresh = check_freshness(port, workers)
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\nThroughput under gunicorn ({workers} sync workers, 8 client threads, 4 s each)")
    print(f"hello world   {hello:8.0f} req/s  ({hello_errors} errors)")
    print(f"/reports/     {reports:8.0f} req/s  ({report_errors} errors)")
    print(f"ratio         {reports / hello:8.2f}  (target ≥ 0.25)")
    print(f"freshness     {fresh[0]}/{fresh[1]} requests after a raw UPDATE showed it")
    return reports / hello, fresh


def check_freshness(port, workers):
    """A raw write from this process shows on the next request to every worker."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, title FROM archive_report WHERE status = 'published' "
                       "ORDER BY published_at DESC LIMIT 1")  # fmt: skip
        report_id, title = cursor.fetchone()
        fresh = f"Freshly retitled {time.time_ns()}"
        cursor.execute("UPDATE archive_report SET title = %s WHERE id = %s", [fresh, report_id])
    try:
        seen = []
        for _ in range(workers * 4):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/reports/")
            seen.append(fresh in conn.getresponse().read().decode())
            conn.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE archive_report SET title = %s WHERE id = %s", [title, report_id])
    return sum(seen), len(seen)


def search_targets(figures):
    rare_fts, rare_like = figures["rare"]
    common_fts, _ = figures["common"]
    return [
        ("rare search < 50 ms at 1M segments", f"{rare_fts:.2f} ms", rare_fts < 50),
        ("rare search >= 50x faster than LIKE", f"{rare_like / rare_fts:.0f}x",
         rare_like / rare_fts >= 50),
        ("common search < 100 ms at 1M segments", f"{common_fts:.2f} ms", common_fts < 100),
    ]  # fmt: skip


def main_postgres():
    if "--keep" not in sys.argv:
        recreate_postgres_database()
    build_database(keep="--keep" in sys.argv)
    grow_to_search_size()
    figures = time_search()
    print("\nTargets on PostgreSQL (the bounded candidate window, as on SQLite)")
    for label, value, ok in search_targets(figures):
        print(f"  {'PASS' if ok else 'FAIL'}  {label:55} {value}")


def run_postgres_child():
    if not postgres_answers():
        print(f"\nPostgreSQL search: skipped, nothing answers at {POSTGRES_URL}")
        return
    keep = ["--keep"] if "--keep" in sys.argv else []
    subprocess.run([sys.executable, "-m", "scripts.bench_web", "--postgres", *keep], check=False)


def main():
    if POSTGRES:
        return main_postgres()
    build_database(keep="--keep" in sys.argv)
    if "--search" in sys.argv:
        grow_to_search_size()
        figures = time_search()
        print("\nTargets on SQLite (search alone)")
        for label, value, ok in search_targets(figures):
            print(f"  {'PASS' if ok else 'FAIL'}  {label:55} {value}")
        return run_postgres_child()
    pages = time_pages()
    ratio, fresh = time_throughput()
    grow_to_search_size()
    figures = time_search()
    print("\nTargets (warm = served from the page cache; cold = rendered)")
    for label, value, ok in [
        ("list p50 < 5 ms (warm)", f"{pages['report list'][2]:.2f} ms",
         pages["report list"][2] < 5),
        ("detail p50 < 5 ms (warm, 200 reports)", f"{pages['report detail'][2]:.2f} ms",
         pages["report detail"][2] < 5),
        *search_targets(figures),
        ("list throughput >= 1/4 of hello world", f"{ratio:.2f}", ratio >= 0.25),
        ("a raw write shows on the next request to every worker", f"{fresh[0]}/{fresh[1]}",
         fresh[0] == fresh[1]),
    ]:  # fmt: skip
        print(f"  {'PASS' if ok else 'FAIL'}  {label:55} {value}")
    print(
        "\nFor information (no target): cold list p50 "
        f"{pages['report list'][0]:.2f} ms, cold detail p50 {pages['report detail'][0]:.2f} ms"
    )
    run_postgres_child()


if __name__ == "__main__":
    main()
