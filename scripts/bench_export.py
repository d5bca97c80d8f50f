"""`make bench-export`: export_dataset's memory stays flat as the archive grows.

Builds var/bench-export.sqlite3 twice (10,000 then 100,000 public reports, three
segments and one quote each; raw executemany), writes the data package from
each, and prints the time and the peak of Python allocations (tracemalloc).
PASS when the peak at 100,000 reports is under 1.5 times the peak at 10,000.

Usage: python -m scripts.bench_export
"""

import os
import random
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DB_PATH = BASE_DIR / "var" / "bench-export.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from archive import caching, search  # noqa: E402
from archive.exports.writer import write_dataset  # noqa: E402

SEED = 20261201
WORDS = [
    "the",
    "minister",
    "said",
    "prices",
    "growth",
    "energy",
    "market",
    "talks",
    "trade",
    "border",
    "vote",
]


def build(reports):
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    stamp = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with transaction.atomic(), connection.cursor() as cursor:
        search.drop_sqlite_triggers(cursor)
        caching.drop_sqlite_triggers(cursor)
        cursor.executemany(
            "INSERT INTO archive_speaker (id, name, slug, role) VALUES (%s, %s, %s, '')",
            [(i, f"Speaker {i}", f"speaker-{i}") for i in range(1, 2001)],
        )
        cursor.executemany(
            "INSERT INTO archive_report (id, title, slug, dateline, status, published_at,"
            " withdrawal_reason, correction, source_name, source_text, source_checksum,"
            " created_at, updated_at) VALUES (%s, %s, %s, '', 'published', %s, '', '', '', '',"
            " '', %s, %s)",
            [(i, f"Report {i}", f"report-{i}", stamp, stamp, stamp) for i in range(1, reports + 1)],
        )
        cursor.executemany(
            "INSERT INTO archive_segment (report_id, position, kind, speaker_id, speaker_title,"
            " text) VALUES (%s, %s, 'soundbite', %s, 'MINISTER', %s)",
            [
                (i, p, rng.randint(1, 2000), " ".join(rng.choices(WORDS, k=40)))
                for i in range(1, reports + 1)
                for p in (1, 2, 3)
            ],
        )
        cursor.execute(
            "INSERT INTO archive_quote (segment_id, speaker_id, text, featured, matches_source,"
            " created_at) SELECT id, speaker_id, substr(text, 1, 40), FALSE, TRUE, %s"
            " FROM archive_segment WHERE position = 1",
            [stamp],
        )


def measure(reports):
    build(reports)
    with tempfile.TemporaryDirectory() as directory:
        tracemalloc.start()
        started = time.perf_counter()
        package = write_dataset(Path(directory) / "data")
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rows = sum(resource.get("count", 0) for resource in package["resources"])
    print(
        f"{reports:>8,} reports  {rows:>10,} rows  {seconds:7.1f} s  peak {peak / 2**20:7.1f} MiB"
    )
    return peak


def main():
    print("export_dataset: time and peak Python memory (tracemalloc)")
    small, large = measure(10_000), measure(100_000)
    ratio = large / small
    verdict = "PASS" if ratio < 1.5 else "FAIL"
    print(f"  {verdict}  peak at 100,000 reports / peak at 10,000 = {ratio:.2f} (target < 1.5)")
    connections.close_all()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
