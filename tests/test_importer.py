import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils.dateparse import parse_datetime

from archive import importer
from archive.models import Organization, Quote, Report, Segment, Speaker, Topic
from archive.transcripts import parse_bytes
from tests.factories import make_report
from tests.test_fixtures import archive_content

pytestmark = pytest.mark.django_db

SEED = settings.BASE_DIR / "fixtures" / "transcripts" / "skolkovo-china-russia-hi-tech-center.txt"
SEED_SLUG = SEED.stem
EXAMPLES = sorted((Path(__file__).parent / "transcripts" / "examples").glob("*.txt"))
FIXTURE_TIME = "2026-11-28T00:00:00+00:00"
REFUSAL = re.compile(r"^(?P<path>.+):(?P<line>\d+): (?P<reason>.+)$")


def run(*args, **options):
    """Run import_transcripts; return (stdout, stderr, the CommandError or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_transcripts", *map(str, args), stdout=out, stderr=err, **options)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def table_counts():
    return [m.objects.count() for m in (Report, Segment, Speaker, Organization, Topic, Quote)]


def copy(source, folder, name=None, text=None):
    path = Path(folder) / (name or Path(source).name)
    if text is None:
        shutil.copyfile(source, path)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_importing_the_seed_gives_exactly_the_fixture(seed_report):
    from_fixture = archive_content()
    Quote.objects.all().delete()
    Report.objects.all().delete()
    Speaker.objects.all().delete()
    Organization.objects.all().delete()
    assert table_counts() == [0] * 6

    _, _, error = run(SEED, published_at=parse_datetime(FIXTURE_TIME))

    assert error is None
    assert archive_content() == from_fixture


def test_the_seed_imports_as_a_fully_structured_draft():
    _, err, error = run(SEED)

    assert error is None
    report = Report.objects.get(slug=SEED_SLUG)
    assert report.status == Report.Status.DRAFT
    assert not Report.objects.public().exists()
    assert (report.outlet.name, report.correspondent.name, report.dateline) == (
        "CGTN",
        "Aljosa Milenkovic",
        "Skolkovo",
    )
    assert report.duration == timedelta(minutes=3, seconds=28)
    assert report.source_name == SEED.name
    assert report.source_text == SEED.read_text(encoding="utf-8")
    kinds = list(report.segments.values_list("position", "kind", "speaker__name"))
    assert [k[1] for k in kinds] == [
        "intro", "narration", "soundbite", "narration", "standup", "narration",
        "soundbite", "narration", "soundbite", "narration", "signoff",
    ]  # fmt: skip
    assert [k[0] for k in kinds] == list(range(1, 12))
    assert set(Speaker.objects.values_list("name", "role", "organization__name")) == {
        ("Aljosa Milenkovic", "Correspondent", "CGTN"),
        ("Igor", "Craftsman", "Motorica"),
        ("Kiril Kaem", "Senior Vice President", "Skolkovo Foundation"),
        (
            "Maxim Kuznetsov",
            "Executive Director",
            "Russian-Asian Union of Industrialists and Entrepreneurs",
        ),
    }
    assert Quote.objects.count() == 3
    assert all(q.text == q.segment.text and q.matches_source for q in Quote.objects.all())
    assert "1 files read: 1 created" in err


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_example_is_stored_exactly_as_parsed(path):
    _, _, error = run(path)

    assert error is None
    parse = parse_bytes(path.read_bytes())
    report = Report.objects.get(slug=path.stem)
    assert report.title == parse.title
    assert sorted(report.topics.values_list("name", flat=True)) == sorted(parse.topics)
    assert report.correspondent.name == parse.correspondent
    assert report.outlet.name == parse.outlet
    assert report.dateline == (parse.dateline or "")
    stored = report.segments.values_list("kind", "speaker__name", "speaker_title", "text")
    assert list(stored) == [
        (s.kind, s.speaker, s.speaker_title or "", s.text) for s in parse.segments
    ]
    soundbites = [s for s in parse.segments if s.kind == "soundbite"]
    assert list(Quote.objects.values_list("speaker__name", "text")) == [
        (s.speaker, s.text) for s in soundbites
    ]


def test_a_speaker_heard_in_several_reports_is_one_speaker(tmp_path):
    copy(SEED, tmp_path)
    text = SEED.read_text(encoding="utf-8").replace("Skolkovo technology park\n", "sequel\n", 1)
    copy(SEED, tmp_path, "sequel.txt", text)

    run(tmp_path)

    assert Report.objects.count() == 2
    assert Speaker.objects.count() == 4
    kaem = Speaker.objects.get(slug="kiril-kaem")
    assert kaem.segments.values("report").distinct().count() == 2


def test_publish_makes_the_reports_public_now():
    run(SEED, publish=True)

    report = Report.objects.public().get()
    assert report.slug == SEED_SLUG


@pytest.mark.parametrize(
    "name, data, line",
    [
        ("empty", b"", 1),
        ("blank", b"\n   \n\t\n", None),
        ("no-paragraph", b"A title\n[]\n03:28\n", 1),
        ("latin-1", "Title\n[]\n03:28\nCaf\u00e9 society.\n".encode("latin-1"), 4),
        ("binary", b"Title\n\x00\x01\x02\x03\x89PNG\n", None),
        ("bad-duration", b"Title\n[]\n03:75\nA paragraph.\n", 3),
        ("bad-topics", b'Title\n["Energy", 3]\n03:28\nA paragraph.\n', 2),
        ("long-line", b"Title\n[]\n03:28\n" + b"word " * 220_000 + b"\n", 4),
    ],
)
def test_a_refused_file_gets_one_line_and_writes_nothing(tmp_path, name, data, line):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)

    out, err, error = run(path)

    assert error is not None
    assert out == ""
    refusals = [row for row in err.splitlines() if row.startswith(str(path))]
    assert len(refusals) == 1
    match = REFUSAL.match(refusals[0])
    assert match and match["path"] == str(path)
    if line is not None:
        assert int(match["line"]) == line
    assert "Traceback" not in err
    assert "0 created" in err and "1 failed" in err
    assert table_counts() == [0] * 6


def test_an_unreadable_path_gets_one_line(tmp_path):
    missing = tmp_path / "missing.txt"

    _, err, error = run(missing)

    assert error is not None
    assert f"{missing}:1: cannot read the file" in err


def test_good_files_import_and_bad_ones_fail_in_the_same_run(tmp_path):
    copy(SEED, tmp_path)
    (tmp_path / "broken.txt").write_bytes(b"Title\n[]\n99:99:99\nWords.\n")

    _, err, error = run(tmp_path)

    assert error is not None  # a non-zero exit status
    assert Report.objects.filter(slug=SEED_SLUG).exists()
    assert not Report.objects.filter(slug="broken").exists()
    assert err.count("broken.txt:3:") == 1
    assert "2 files read: 1 created, 0 updated, 0 unchanged, 1 failed" in err


def test_the_command_line_shows_no_traceback_and_exits_1(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Title\n[]\n03:75\nWords.\n")
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)

    result = subprocess.run(
        [*manage, "import_transcripts", str(bad)],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    refusals = [row for row in result.stderr.splitlines() if row.startswith(str(bad))]
    assert len(refusals) == 1 and refusals[0].startswith(f"{bad}:3: ")


def test_reimporting_an_unchanged_file_changes_nothing():
    run(SEED)
    report = Report.objects.get()
    before = (archive_content(), report.updated_at, list(Quote.objects.values_list("pk")))

    _, err, error = run(SEED)

    assert error is None
    assert "1 files read: 0 created, 0 updated, 1 unchanged, 0 failed" in err
    report.refresh_from_db()
    assert (archive_content(), report.updated_at, list(Quote.objects.values_list("pk"))) == before


def test_a_file_named_like_another_report_gets_its_own_slug(tmp_path):
    make_report(slug=SEED_SLUG, title="Made by hand")

    run(SEED)

    imported = Report.objects.get(source_name=SEED.name)
    assert imported.slug == f"{SEED_SLUG}-2"
    _, err, _ = run(SEED)
    assert "1 unchanged" in err
    assert Report.objects.count() == 2


def test_a_changed_file_is_refused_without_replace(tmp_path):
    path = copy(SEED, tmp_path)
    run(path)
    before = archive_content()
    path.write_text(SEED.read_text(encoding="utf-8") + " More words.", encoding="utf-8")

    _, err, error = run(path)

    assert error is not None
    assert f"{path}:1: changed since it was imported" in err
    assert "--replace" in err
    assert archive_content() == before


def test_replace_rebuilds_segments_and_keeps_curated_quotes(tmp_path):
    path = copy(SEED, tmp_path)
    run(path)
    kaem = Speaker.objects.get(slug="kiril-kaem")
    curated = Quote.objects.create(
        segment=Segment.objects.get(speaker=kaem),
        speaker=kaem,
        text="we are interested in Chinese investors ... how innovative they are",
        featured=True,
    )
    doomed = Quote.objects.get(speaker__slug="maxim-kuznetsov")
    # The editor's cut of the transcript: a new first narration paragraph moves
    # every segment down by one, and Mr. Kuznetsov's bite is reworded.
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines.insert(4, "A new paragraph of narration.")
    text = "\n".join(lines).replace("These are mostly the projects", "These are chiefly projects")
    path.write_text(text, encoding="utf-8")

    _, err, error = run(path, replace=True)

    assert error is None
    assert "0 created, 1 updated" in err
    report = Report.objects.get()
    assert report.segments.count() == 12
    assert list(report.segments.values_list("position", flat=True)) == list(range(1, 13))
    curated.refresh_from_db()
    assert curated.featured and curated.matches_source
    assert curated.segment.position == 8 and curated.segment.speaker == kaem
    doomed.refresh_from_db()  # kept, never silently deleted
    assert not doomed.matches_source
    assert doomed.segment.report == report
    assert doomed.segment.position == 10  # the nearest of its speaker's segments
    new_bite = report.segments.get(position=10)
    assert new_bite.text.startswith("These are chiefly projects")
    assert new_bite.quotes.filter(text=new_bite.text, matches_source=True).exists()
    # The two bites that did not change keep one quote each: no duplicates.
    assert Quote.objects.filter(speaker__slug="igor").count() == 1
    assert report.source_text == text
    _, err, _ = run(path, replace=True)
    assert "1 unchanged" in err


def test_a_database_error_in_a_batch_keeps_the_other_files(tmp_path, monkeypatch):
    for example in EXAMPLES[:3]:
        copy(example, tmp_path)
    real_parse_file = importer.parse_file

    def parse_file(path, data):
        parse = real_parse_file(path, data)
        if "02_" in str(path):
            # A kind the database's check constraint refuses: only the database sees it.
            parse.segments[1] = type(parse.segments[1])("bogus", None, None, "x", 5)
        return parse

    monkeypatch.setattr(importer, "parse_file", parse_file)

    _, err, error = run(tmp_path)

    assert error is not None
    assert sorted(Report.objects.values_list("slug", flat=True)) == [
        EXAMPLES[0].stem,
        EXAMPLES[2].stem,
    ]
    assert err.count("02_port-ardrane-tidal-turbines.txt:1: the database refused it") == 1
    assert not Segment.objects.filter(kind="bogus").exists()


def test_dry_run_prints_the_parse_alone_and_touches_no_database(django_assert_num_queries, capfd):
    with django_assert_num_queries(0):
        call_command("import_transcripts", str(SEED), dry_run=True, format="json")

    out, err = capfd.readouterr()
    assert json.loads(out) == parse_bytes(SEED.read_bytes()).as_dict(file=str(SEED))
    assert "1 files read: 1 parsed" in err
    assert table_counts() == [0] * 6


def test_dry_run_of_several_files_prints_a_list_and_refuses_bad_ones(
    tmp_path, django_assert_num_queries
):
    copy(SEED, tmp_path)
    copy(EXAMPLES[0], tmp_path)
    (tmp_path / "z-bad.txt").write_bytes(b"\xff\xfe")
    out, err = io.StringIO(), io.StringIO()

    with django_assert_num_queries(0), pytest.raises(CommandError):
        call_command(
            "import_transcripts", str(tmp_path), dry_run=True, format="json", stdout=out, stderr=err
        )

    parses = json.loads(out.getvalue())
    assert [p["file"] for p in parses] == [
        str(tmp_path / EXAMPLES[0].name),
        str(tmp_path / SEED.name),
    ]
    assert parses[0] == json.loads(
        json.dumps(parse_bytes(EXAMPLES[0].read_bytes()).as_dict(file=parses[0]["file"]))
    )
    assert out.getvalue() == json.dumps(parses, ensure_ascii=False, indent=2) + "\n"
    assert err.getvalue().count("z-bad.txt:1: ") == 1


def wipe_archive():
    for model in (Quote, Segment, Report, Speaker, Organization, Topic):
        model.objects.all().delete()


def import_and_record(paths, **options):
    """Import; return what a reader sees, the refusal lines, the progress calls and the counts."""
    refusals, progress = [], []
    counts = importer.import_transcripts(
        paths, on_refused=lambda r: refusals.append(str(r)), on_file=progress.append, **options
    )
    order = list(Report.objects.order_by("pk").values_list("slug", flat=True))
    return archive_content(), order, refusals, progress, counts


def test_a_pooled_import_stores_exactly_what_an_in_process_import_stores(tmp_path):
    first, second, copies = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder in (first, second, copies):
        folder.mkdir()
    for example in [*EXAMPLES, SEED]:
        copy(example, first)
        # The same names, changed: refused, or with --replace rebuilt, in the same run.
        copy(example, second, text=example.read_text(encoding="utf-8") + "\nOne more line.\n")
    for number in range(7):
        copy(SEED, copies, name=f"copy-{number}.txt")
    (second / "bad.txt").write_bytes(b"Title\n[]\n03:75\nWords.\n")
    runs = [([first, copies], {}), ([second, first], {"replace": True}), ([second], {})]

    results = {}
    for workers in (0, 2):
        wipe_archive()
        results[workers] = [
            import_and_record(paths, workers=workers, batch_size=3, **options)
            for paths, options in runs
        ]

    assert results[2] == results[0]
    created, replaced, refused = results[2]
    assert (created[4].created, created[4].failed) == (13, 0)
    assert (replaced[4].updated, replaced[4].failed) == (12, 1)  # b/ over a/, then a/ again
    assert [line.split(":")[0] for line in replaced[2]] == [str(second / "bad.txt")]
    assert len(replaced[3]) == 13 and set(replaced[3]) == {
        str(path) for path in [*first.iterdir(), *second.iterdir()]
    }
    assert len(refused[2]) == 7  # b/ changed since a/ was imported, and bad.txt


def test_a_pooled_reimport_of_unchanged_files_parses_nothing(tmp_path, monkeypatch):
    for number in range(6):
        copy(SEED, tmp_path, name=f"copy-{number}.txt")
    importer.import_transcripts([tmp_path], workers=2, batch_size=2)

    def parse_file(path, data):
        raise AssertionError(f"{path} was parsed again")

    monkeypatch.setattr(importer, "parse_file", parse_file)
    counts = importer.import_transcripts([tmp_path], workers=2, batch_size=2)

    assert (counts.unchanged, counts.failed) == (6, 0)


def test_a_refusal_from_a_parser_process_keeps_its_cause_for_traceback(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Title\n[]\n03:75\nWords.\n")
    refusals = []

    importer.import_transcripts([bad], workers=1, on_refused=refusals.append)

    [refused] = refusals
    assert str(refused).startswith(f"{bad}:3: ")
    assert "TranscriptError" in str(refused.__cause__)


def test_a_dead_parser_process_stops_the_import_with_one_line(tmp_path, monkeypatch):
    for number in range(4):
        copy(SEED, tmp_path, name=f"copy-{number}.txt")
    copy(SEED, tmp_path, name="crash.txt")
    parent, real_parse_file = os.getpid(), importer.parse_file

    def parse_file(path, data):
        if path.endswith("crash.txt") and os.getpid() != parent:
            os._exit(9)  # as if the kernel killed it
        return real_parse_file(path, data)

    monkeypatch.setattr(importer, "parse_file", parse_file)

    with pytest.raises(CommandError) as raised:
        call_command("import_transcripts", str(tmp_path), workers=2, stderr=io.StringIO())

    assert "parser process stopped abruptly" in str(raised.value)
    assert "\n" not in str(raised.value)


def test_small_imports_parse_in_process_and_large_ones_use_the_cores(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert importer.default_workers(importer.POOL_MIN_FILES) == 0
    assert importer.default_workers(5_000) == 3  # and this process writes
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    assert importer.default_workers(5_000) == 0


def test_a_database_that_refuses_connections_gets_one_line_and_exit_1(tmp_path):
    good = copy(SEED, tmp_path)
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py"), "import_transcripts"]

    result = subprocess.run(
        [*manage, str(good)], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("CommandError: cannot use the database: ")
    assert "127.0.0.1" in lines[0] or "refused" in lines[0]


# -- which file is "the same file" (a name is not enough) ---------------------


def test_a_namesake_from_another_folder_is_another_report_even_with_replace(tmp_path):
    first, other = tmp_path / "e1", tmp_path / "e2"
    first.mkdir(), other.mkdir()
    original = copy(SEED, first, "clash.txt")
    run(original)
    before = archive_content()
    lines = SEED.read_text(encoding="utf-8").split("\n")
    lines[0] = "An unrelated story that happens to share the file name"
    unrelated = copy(SEED, other, "clash.txt", text="\n".join(lines))

    _, err, error = run(unrelated, replace=True)

    assert error is None
    assert "1 created, 0 updated" in err
    clash = Report.objects.get(slug="clash")
    assert (clash.source_path, clash.title) == (str(original), before["reports"][0][1])
    namesake = Report.objects.get(slug="clash-2")
    assert (namesake.source_name, namesake.source_path) == ("clash.txt", str(unrelated))
    assert namesake.title == lines[0]
    assert archive_content()["reports"][0] == before["reports"][0]


def test_a_corrected_copy_from_another_folder_is_the_same_report(tmp_path):
    first, corrections = tmp_path / "feed", tmp_path / "corrections"
    first.mkdir(), corrections.mkdir()
    original = copy(SEED, first, "clash.txt")
    run(original)
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("These are mostly the projects", "These are chiefly projects")
    corrected = copy(SEED, corrections, "clash.txt", text=text)

    _, err, error = run(corrected)

    assert error is not None
    assert f"{corrected}:1: changed since it was imported as report 'clash' from {original};" in err
    _, err, error = run(corrected, replace=True)
    assert error is None and "0 created, 1 updated" in err
    report = Report.objects.get()
    assert (report.source_path, report.source_text) == (str(corrected), text)
    _, err, _ = run(corrected)
    assert "1 unchanged" in err


def test_an_unchanged_copy_anywhere_is_unchanged(tmp_path):
    run(SEED)
    (tmp_path / "moved").mkdir()
    moved = copy(SEED, tmp_path / "moved")

    _, err, error = run(moved)

    assert error is None and "1 unchanged" in err
    assert Report.objects.count() == 1


# -- paths that are not transcripts --------------------------------------------


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    import signal

    folder = tmp_path / "feed"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    copy(SEED, folder)

    def hung(signum, frame):
        raise AssertionError("the importer waited for a writer on the FIFO")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        _, err, error = run(folder)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)

    assert error is not None
    assert err.count(f"{folder / 'pipe.txt'}:1: not a regular file: a FIFO (named pipe)") == 1
    assert Report.objects.filter(slug=SEED_SLUG).exists()


def test_a_folder_named_like_a_transcript_is_searched_and_an_empty_one_refused(tmp_path):
    folder, empty = tmp_path / "x.txt", tmp_path / "empty.txt"
    folder.mkdir(), empty.mkdir()
    copy(SEED, folder)

    _, err, error = run(folder)
    assert error is None and "1 created" in err

    _, err, error = run(empty)
    assert error is not None
    assert f"{empty}: a folder with no .txt file in it\n" in err
    assert "1 folder(s) with no .txt file" in str(error)


def test_a_file_name_with_a_newline_gets_one_escaped_line(tmp_path):
    path = tmp_path / "two\nlines\x1b.txt"
    path.write_bytes(b"Title\n[]\n03:75\nWords.\n")

    _, err, error = run(path)

    assert error is not None
    escaped = str(tmp_path / "two\\nlines\\x1b.txt")
    [refusal, summary] = err.splitlines()
    assert refusal.startswith(f"{escaped}:3: ") and REFUSAL.match(refusal)
    assert summary.startswith("1 files read: ")


def test_a_file_name_with_a_newline_is_stored_escaped(tmp_path):
    path = copy(SEED, tmp_path, "two\nlines.txt")

    run(path)

    report = Report.objects.get()
    assert (report.slug, report.source_name) == ("two-lines", "two\\nlines.txt")


def test_a_file_over_the_size_limit_is_refused_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", SEED.stat().st_size - 1)
    path = copy(SEED, tmp_path)

    _, err, error = run(path)

    assert error is not None
    size = SEED.stat().st_size
    assert f"{path}:1: the file is {size:,} bytes long, over the limit of {size - 1:,}" in err
    assert table_counts() == [0] * 6


# -- the command as a process: Ctrl-C, SIGKILL, memory --------------------------


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory):
    """An empty, migrated SQLite file, copied by each test that runs the command."""
    path = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{path}"}
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
    return path


@pytest.fixture
def command(tmp_path, migrated_sqlite):
    """(argv of manage.py, its environment, the database file) on a fresh copy of the schema."""
    database = tmp_path / "db.sqlite3"
    shutil.copyfile(migrated_sqlite, database)
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}"}
    return [sys.executable, str(settings.BASE_DIR / "manage.py")], env, database


def many_transcripts(folder, count):
    from scripts.bench_load import write_transcripts

    return write_transcripts(folder, "Many", count)


def stored_reports(database):
    import sqlite3

    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM archive_report").fetchone()[0]


def children(pid):
    """The live child processes of ``pid``, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if int(parent) == pid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def alive(pid):
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds, step=0.02):
    import time

    deadline = time.monotonic() + seconds
    while not (result := condition()) and time.monotonic() < deadline:
        time.sleep(step)
    return result


def test_ctrl_c_says_what_was_committed_and_exits_130(tmp_path, command):
    import signal

    manage, env, database = command
    source = many_transcripts(tmp_path / "many", 2_500)
    process = subprocess.Popen(
        [*manage, "import_transcripts", str(source)],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_for(lambda: process.poll() is not None or stored_reports(database), 120)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)

    assert process.returncode == 130, err
    assert "Traceback" not in err and out == ""
    [line] = [line for line in err.splitlines() if line.strip()]
    match = re.fullmatch(
        r"CommandError: Interrupted: (\d+) files committed \(\1 created, 0 updated\), "
        r"0 unchanged, 0 refused; the batch being written was rolled back: "
        r"run the import again to carry on\.",
        line,
    )
    assert match, line
    assert 0 < int(match[1]) < 2_500
    assert stored_reports(database) == int(match[1])


def test_parser_processes_die_with_an_import_killed_by_sigkill(tmp_path, command):
    manage, env, _ = command
    source = many_transcripts(tmp_path / "many", 3_000)
    process = subprocess.Popen(
        [*manage, "import_transcripts", str(source), "--workers", "2"],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers = wait_for(lambda: process.poll() is not None or children(process.pid), 120)
    assert workers is not True, "the import ended before its parser processes were seen"

    process.kill()
    process.wait()

    wait_for(lambda: not any(alive(pid) for pid in workers), 10)
    survivors = [pid for pid in workers if alive(pid)]
    for pid in survivors:  # never left behind, even when the test fails
        os.kill(pid, 9)
    assert survivors == []


def test_parser_processes_hold_no_socket_of_the_importer(tmp_path, monkeypatch):
    import socket

    # A connected socket in this process, as a PostgreSQL connection would be.
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    parent, real_parse_file, record = os.getpid(), importer.parse_file, tmp_path / "fds"

    def parse_file(path, data):
        if os.getpid() != parent:
            links = []
            for fd in os.listdir("/proc/self/fd"):
                try:
                    links.append(os.readlink(f"/proc/self/fd/{fd}"))
                except OSError:
                    continue
            with open(record, "a") as file:
                file.write("\n".join(links) + "\n")
        return real_parse_file(path, data)

    monkeypatch.setattr(importer, "parse_file", parse_file)
    (tmp_path / "in").mkdir()
    for number in range(3):
        copy(SEED, tmp_path / "in", name=f"copy-{number}.txt")
    try:
        counts = importer.import_transcripts([tmp_path / "in"], workers=1)
    finally:
        client.close(), listener.close()

    assert counts.created == 3
    links = record.read_text().split()
    assert any(link.startswith("pipe:") for link in links)  # what the pool talks over
    assert [link for link in links if link.startswith("socket:")] == []


def test_memory_stays_within_a_small_multiple_of_a_long_file(tmp_path, command):
    manage, env, _ = command
    lines = ["A very long broadcast", "[]", "59:00", "CGTN's Jana Novak in Prague sends this."]
    words = [
        "the",
        "harbour",
        "of",
        "Prague",
        "opened",
        "again",
        "on",
        "Monday",
        "after",
        "weeks",
        "of",
        "repairs",
        "and",
        "the",
    ]
    for number in range(9_000):
        sentence = " ".join(words[(number + k) % len(words)] for k in range(60))
        lines.append(f'PETR HORAK, MAYOR "{sentence}."' if number % 3 else f"{sentence}.")
    lines.append("Jana Novak, CGTN, Prague.")
    long = tmp_path / "long.txt"
    long.write_text("\n".join(lines) + "\n", encoding="utf-8")
    size = long.stat().st_size
    assert size > 3_000_000
    # VmHWM, not ru_maxrss: the latter keeps the peak of the process before its exec,
    # here pytest's.
    measure = (
        "import django; django.setup()\n"
        "from archive.importer import import_transcripts\n"
        "def kb(key):\n"
        "    lines = open('/proc/self/status').read().splitlines()\n"
        "    return next(int(line.split()[1]) for line in lines if line.startswith(key))\n"
        f"import_transcripts([{str(SEED)!r}], workers=0)\n"  # modules and connection warm
        "before = kb('VmRSS:')\n"
        f"counts = import_transcripts([{str(long)!r}], workers=0)\n"
        "assert counts.created == 1, counts.summary()\n"
        "print((kb('VmHWM:') - before) * 1024)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", measure],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )

    growth = int(result.stdout)
    # About 8 times on this machine (it was 20 before the parser stopped making a
    # string of every word of the text to fold it).
    assert growth < 12 * size, f"{growth / size:.1f} times the file's size"
