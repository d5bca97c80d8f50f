"""Benchmark: import_transcripts against loaddata and a raw sqlite3 insert.

    make bench-import            # 10,000 transcripts
    .venv/bin/python -m scripts.bench_import --transcripts 1000

Generates a synthetic archive from a fixed random seed (files in a temporary
folder), imports it into an empty SQLite file with the importer (parsing
included), then, in the same run, loads the same records with `loaddata`
(from a natural-key `dumpdata` of the result) into a second empty database,
and inserts the same rows with sqlite3's `executemany` into a third (the
median of three runs). Then it backs the result up with `backup_archive` and
times `restore_archive` of that file into an empty SQLite file (and, with
`--postgresql URL`, into that PostgreSQL database, dropped and re-created;
`--loaddata-postgresql` also times the old way, `loaddata`, there), against
the target: a restore at least as fast as the import. Prints rows per second,
the ratios with PASS or FAIL against the targets, and the peak memory.
"""

import argparse
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = [
    "Adele",
    "Boris",
    "Carmen",
    "Damian",
    "Estelle",
    "Fabian",
    "Gisela",
    "Henrik",
    "Irena",
    "Jakob",
    "Klara",
    "Leon",
    "Marta",
    "Nils",
    "Oksana",
    "Pieter",
    "Rosa",
    "Sven",
    "Tereza",
    "Ulla",
    "Amara",
    "Bogdan",
    "Celia",
    "Dario",
    "Elena",
    "Farid",
    "Greta",
    "Hamid",
    "Ines",
    "Jonas",
    "Kalina",
    "Lucas",
    "Mirela",
    "Nikolai",
    "Olga",
    "Pavel",
    "Rhea",
    "Stefan",
    "Tamsin",
    "Viktor",
    "Wanda",
    "Yara",
    "Zoran",
    "Anouk",
    "Bruno",
    "Clara",
    "Dmitri",
    "Edith",
    "Felix",
    "Hanna",
]  # noqa: E501
LAST = [
    "Abernethy",
    "Brankovic",
    "Castellan",
    "Dorsey",
    "Eklund",
    "Fairbairn",
    "Gallardo",
    "Holmqvist",
    "Ivanova",
    "Jankowski",
    "Kowalczyk",
    "Lindqvist",
    "Marchetti",
    "Novak",
    "Ostrowski",
    "Petrovic",
    "Quintero",
    "Rasmussen",
    "Sandoval",
    "Tomasek",
    "Ulrich",
    "Valdivia",
    "Wexford",
    "Yilmaz",
    "Zielinski",
    "Arkwright",
    "Bellamy",
    "Crowther",
    "Delacroix",
    "Esposito",
    "Falkner",
    "Grantham",
    "Hollister",
    "Ingram",
    "Jessup",
    "Kingsley",
    "Lockhart",
    "Montague",
    "Northcott",
    "Oakley",
]  # noqa: E501
JOBS = [
    "DIRECTOR",
    "PRESIDENT",
    "CHIEF ENGINEER",
    "MINISTER",
    "MAYOR",
    "FOUNDER",
    "SPOKESPERSON",
    "PROFESSOR",
    "CEO",
    "SENIOR VICE PRESIDENT",
]  # noqa: E501
ORG_WORDS = [
    "NORTHWIND",
    "HARBOR",
    "VALLEY",
    "CITY",
    "RIVER",
    "SUMMIT",
    "CORVANE",
    "ALDER",
    "MERIDIAN",
    "BALTIC",
]
ORG_KINDS = [
    "FOUNDATION",
    "UNIVERSITY",
    "MINISTRY OF ENERGY",
    "HOSPITAL",
    "SYSTEMS",
    "COUNCIL",
    "INSTITUTE",
    "TRUST",
]
PLACES = [
    "Skolkovo",
    "Velmora",
    "Merrinvale",
    "Harlow",
    "Ardrane",
    "Sarvani",
    "Orvenne",
    "Tallinn",
    "Porto",
    "Lyon",
]
TOPICS = [f"Topic {n}" for n in range(1, 41)]
WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "they",
    "you",
    "were",
    "her",
    "she",
    "there",
    "been",
    "one",
    "all",
    "we",
    "their",
    "has",
    "would",
    "when",
    "if",
    "so",
    "no",
    "will",
    "city",
    "park",
    "plan",
    "jobs",
    "energy",
    "water",
    "bridge",
    "river",
    "market",
    "trade",
    "people",
    "years",
    "government",
    "project",
]


def sentence(rng, words=14):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng, sentences=3):
    return " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(sentences))


def make_people(rng, count):
    names = [f"{first} {last}" for first in FIRST for last in LAST]
    if len(names) < count:
        raise SystemExit(f"only {len(names)} distinct names for {count} speakers")
    rng.shuffle(names)
    return names[:count]


def write_archive(folder, *, transcripts, speakers, seed):
    """Write the synthetic transcripts one by one; return the expected counts."""
    rng = random.Random(seed)
    people = make_people(rng, speakers)
    correspondents, interviewees = people[:200], people[200:]
    orgs = [f"{w} {k}" for w in ORG_WORDS for k in ORG_KINDS]
    caption = {name: f"{rng.choice(JOBS)} {rng.choice(orgs)}" for name in interviewees}
    expected = {"segments": 0, "quotes": 0}
    # Every speaker speaks at least once: cycle through them before choosing at random.
    queue = list(interviewees)
    for number in range(transcripts):
        correspondent, place = rng.choice(correspondents), rng.choice(PLACES)
        title = f"Report {number}: {sentence(rng, 6)[:-1]}"
        topics = "[" + ", ".join(f'"{t}"' for t in rng.sample(TOPICS, rng.randint(0, 3))) + "]"
        duration = f"{rng.randint(1, 9):02d}:{rng.randint(0, 59):02d}"
        bites = []
        for _ in range(3):
            speaker = queue.pop() if queue else rng.choice(interviewees)
            bites.append((speaker, caption[speaker], paragraph(rng), paragraph(rng)))
        # Every fifth file in each of the other house styles (archive/transcripts/styles/).
        writer = HOUSE_STYLES[number % len(HOUSE_STYLES)]
        name, text, segments = writer(rng, title, topics, duration, correspondent, place, bites)
        sub = Path(folder, f"{number // 1000:02d}")
        sub.mkdir(exist_ok=True)
        Path(sub, f"report-{number:05d}{name}").write_text(text, encoding="utf-8")
        expected["segments"] += segments
        expected["quotes"] += 3
    return expected


def package_style(rng, title, topics, duration, correspondent, place, bites):
    """The seed's style: bites in quotation marks, a stand-up, a sign-off."""
    body = []
    for speaker, caption, before, words in bites:
        body += [before, f'{speaker.upper()}, {caption} "{words}"']
    body.insert(
        rng.randint(1, len(body)),
        f'{correspondent.upper()} {place.upper()} "{paragraph(rng, 2)}"',
    )
    lines = [
        title,
        topics,
        duration,
        f"{paragraph(rng, 2)} CGTN's {correspondent} reports from {place}.",
    ]
    lines += body
    lines.append(f"{paragraph(rng, 2)} {correspondent}, CGTN, {place}.")
    # paragraphs, plus the sign-off split from the last one
    return ".txt", "\n".join(lines) + "\n", len(lines) - 3 + 1


def name_colon_style(rng, title, topics, duration, correspondent, place, bites):
    """A US network's style: `NAME, TITLE:` turns, voice-over, timecodes, surname cues."""
    anchor = "Dana Whitfield"
    surname = correspondent.split()[-1].upper()
    if any(speaker.split()[-1].upper() == surname for speaker, *_ in bites):
        surname = correspondent.upper()  # a surname cue would name two people
    lines = [
        title,
        topics,
        duration,
        f"[0:00:01] {anchor.upper()}, WNX ANCHOR: {paragraph(rng, 2)} "
        f"WNX's {correspondent} reports from {place}.",
        "(BEGIN VIDEOTAPE)",
    ]
    second = 10
    for speaker, caption, before, words in bites:
        lines.append(
            f"[0:00:{second:02d}] {surname} (voice-over): {before}"
            if second > 10
            else f"[0:00:{second:02d}] {correspondent.upper()}, WNX CORRESPONDENT "
            f"(voice-over): {before}"
        )
        lines.append(f"{speaker.upper()}, {caption}: {words}")
        second += 15
    lines += [f"{surname} (on camera): {paragraph(rng, 2)}", "(END VIDEOTAPE)"]
    return ".txt", "\n".join(lines) + "\n", len(lines) - 3


def shot_list_style(rng, title, topics, duration, correspondent, place, bites):
    """An agency's style: notes, a numbered shot list, then the storyline with its bites."""
    lines = [title, topics, f"LENGTH: 00:{duration}", f"LOCATION: {place.upper()}", "SHOTLIST:"]
    lines += [f"{n}. various of {sentence(rng, 4)[:-1].lower()}" for n in (1, 2)]
    lines += ["STORYLINE:", paragraph(rng, 2)]
    for number, (speaker, caption, before, words) in enumerate(bites, 1):
        lines += [f"SOUNDBITE {number} (English): {speaker.upper()}, {caption.capitalize()}",
                  f'"{words}"', before]  # fmt: skip
    # every line a segment, but each bite's cue and words make one
    return ".txt", "\n".join(lines) + "\n", len(lines) - 2 - len(bites)


def captions_style(rng, title, topics, duration, correspondent, place, bites):
    """WebVTT with voice tags: each speaker's cues join into one segment."""
    cues, start = ["WEBVTT", "", f"NOTE {title}", ""], 0.0
    turns = [(f"{correspondent}, Correspondent", paragraph(rng, 2))]
    for speaker, _caption, before, words in bites:
        turns += [(speaker, words), (f"{correspondent}, Correspondent", before)]
    for voice, words in turns:
        for half in (words[: len(words) // 2], words[len(words) // 2 :]):
            end = start + 2.5
            cues += [f"{_vtt_time(start)} --> {_vtt_time(end)}", f"<v {voice}>{half}", ""]
            start = end
    return ".vtt", "\n".join(cues), len(turns)


def _vtt_time(seconds):
    minutes, rest = divmod(seconds, 60)
    return f"00:{int(minutes):02d}:{rest:06.3f}"


HOUSE_STYLES = (package_style, package_style, name_colon_style, shot_list_style, captions_style)
LOADDATA_TARGET = 10  # the import at least this many times faster than loaddata
RAW_TARGET = 3  # and taking at most this many times the raw insert's time


CHILDREN = resource.RUSAGE_CHILDREN


def timed_manage(env, *args):
    """Run manage.py; return its seconds and its peak RSS in MB, or exit with its error."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"manage.py {' '.join(args)} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def fresh_postgresql(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def time_restores(backup_file, targets, loaddata_too):
    """Seconds (and peak MB) of restore_archive, and of loaddata where asked, per database."""
    results = []
    for label, url in targets:
        for command in (
            ["restore_archive", "loaddata"] if label in loaddata_too else ["restore_archive"]
        ):
            if url.startswith("postgresql"):
                fresh_postgresql(url)
            else:
                Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
            env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
            )
            args = [command, str(backup_file)] + (["-v0"] if command == "loaddata" else [])
            seconds, peak = timed_manage(env, *args)
            results.append((label, command, seconds, peak))
    return results


def peak_rss_mb(who=resource.RUSAGE_SELF):
    return resource.getrusage(who).ru_maxrss / 1024


def verdict(passed):
    return "PASS" if passed else "FAIL"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=10_000)
    parser.add_argument("--speakers", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--postgresql", metavar="URL", help="also time a restore into this database"
    )
    parser.add_argument(
        "--loaddata-postgresql", action="store_true", help="and loaddata there (slow: minutes)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="import-bench-"))
    databases = {name: work / f"{name}.sqlite3" for name in ("imported", "loaded", "raw")}
    os.environ["DATABASE_URL"] = f"sqlite:///{databases['imported']}"
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    for alias in ("loaded", "raw"):
        settings.DATABASES[alias] = {**settings.DATABASES["default"], "NAME": str(databases[alias])}
    from django.core.management import call_command
    from django.db import connections

    from archive.importer import default_workers, import_transcripts

    files = work / "transcripts"
    files.mkdir()
    started = time.perf_counter()
    expected = write_archive(
        files, transcripts=args.transcripts, speakers=args.speakers, seed=args.seed
    )
    print(
        f"generated {args.transcripts} transcripts in {time.perf_counter() - started:.1f}s "
        f"under {files}",
        file=sys.stderr,
    )
    for alias in ("default", "loaded", "raw"):
        call_command("migrate", database=alias, verbosity=0)
    rss_before = peak_rss_mb()

    # 0. Reading and parsing alone (no database, one process), to show where the time goes.
    from archive.transcripts import parse_bytes

    started = time.perf_counter()
    for path in sorted(files.rglob("*")):
        if path.is_file():
            parse_bytes(path.read_bytes(), path.name)
    parse_seconds = time.perf_counter() - started

    # 1. The importer, parsing included, in two halves to show memory stays flat.
    folders = sorted(files.iterdir())
    half = max(1, len(folders) // 2)
    started = time.perf_counter()
    first = import_transcripts(folders[:half])
    rss_half = peak_rss_mb()
    second = import_transcripts(folders[half:])
    import_seconds = time.perf_counter() - started
    rss_full = peak_rss_mb()
    failed = first.failed + second.failed
    workers = default_workers(args.transcripts - args.transcripts // 2)
    tables = [
        "archive_organization",
        "archive_topic",
        "archive_speaker",
        "archive_report",
        "archive_report_topics",
        "archive_segment",
        "archive_quote",
    ]
    with connections["default"].cursor() as cursor:
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    rows = sum(counts.values())
    assert failed == 0, f"{failed} synthetic files failed"
    assert counts["archive_segment"] == expected["segments"], (counts, expected)
    assert counts["archive_quote"] == expected["quotes"], (counts, expected)

    # 2. loaddata of the same records, from a natural-key dump.
    dump = work / "archive.json"
    call_command(
        "dumpdata",
        "archive",
        natural_foreign=True,
        natural_primary=True,
        output=str(dump),
        verbosity=0,
    )
    connections.close_all()
    started = time.perf_counter()
    call_command("loaddata", str(dump), database="loaded", verbosity=0)
    loaddata_seconds = time.perf_counter() - started

    # 3. A raw executemany of the same rows, into the same schema and pragmas.
    source = sqlite3.connect(databases["imported"])
    data = {t: source.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    source.close()
    # Median of three runs into fresh copies of the empty schema: one insert is noisy.
    empty_schema = databases["raw"].read_bytes()
    raw_runs = []
    for attempt in range(3):
        target = work / f"raw-{attempt}.sqlite3"
        target.write_bytes(empty_schema)
        raw = sqlite3.connect(target, isolation_level=None)
        raw.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        )
        started = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        for table in tables:
            if data[table]:
                marks = ",".join("?" * len(data[table][0]))
                raw.executemany(f"INSERT INTO {table} VALUES ({marks})", data[table])
        raw.execute("COMMIT")
        raw_runs.append(time.perf_counter() - started)
        raw.close()
    raw_seconds = sorted(raw_runs)[1]

    # 4. restore_archive of a backup of the same rows, into empty databases.
    backup_file = work / "backup.json"
    connections.close_all()
    backup_seconds, _ = timed_manage(
        {**os.environ, "DEBUG": "1"}, "backup_archive", str(backup_file)
    )
    targets = [("SQLite", f"sqlite:///{work / 'restored.sqlite3'}")]
    if args.postgresql:
        targets.append(("PostgreSQL", args.postgresql))
    restores = time_restores(
        backup_file, targets, {"PostgreSQL"} if args.loaddata_postgresql else set()
    )

    print(f"\nrows: {rows:,} ({', '.join(f'{t[8:]} {n:,}' for t, n in counts.items())})")
    for label, seconds in (
        ("import_transcripts (parsing included)", import_seconds),
        ("loaddata (natural keys)", loaddata_seconds),
        ("raw sqlite3 executemany", raw_seconds),
    ):
        print(f"{label:40s} {seconds:8.2f} s  {rows / seconds:12,.0f} rows/s")
    print(
        f"  reading and parsing alone, in one process: {parse_seconds:.2f} s; the import "
        + (
            f"parses in {workers} worker process(es) while it writes"
            if workers
            else "parses in its own process"
        )
    )
    faster, slower = loaddata_seconds / import_seconds, import_seconds / raw_seconds
    print(
        f"{verdict(faster >= LOADDATA_TARGET)}: import is {faster:.1f}x faster than loaddata "
        f"(target >= {LOADDATA_TARGET}x)"
    )
    print(
        f"{verdict(slower <= RAW_TARGET)}: import takes {slower:.2f}x the raw insert's time "
        f"(target <= {RAW_TARGET}x; raw runs {', '.join(f'{r:.2f}' for r in raw_runs)} s)"
    )
    print(f"backup_archive: {backup_seconds:.2f} s, {backup_file.stat().st_size / 1e6:.0f} MB")
    for label, command, seconds, peak in restores:
        print(
            f"{command} into {label:11s} {seconds:8.2f} s  {rows / seconds:12,.0f} rows/s  "
            f"(peak RSS {peak:.0f} MB, Django's start included)"
        )
    for label, command, seconds, _ in restores:
        if command == "restore_archive":
            print(
                f"{verdict(seconds <= import_seconds)}: restore into {label} takes "
                f"{seconds / import_seconds:.2f}x the import's time (target <= 1x)"
            )
    print(
        f"peak RSS: {rss_before:.0f} MB before import, {rss_half:.0f} MB after half the files, "
        f"{rss_full:.0f} MB after all of them; parser processes {peak_rss_mb(CHILDREN):.0f} MB"
    )
    if args.keep:
        print(f"files and databases kept in {work}", file=sys.stderr)
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
