"""Provenance data: air date and time, programme, language, URLs, segment times and the
corrections log, in the models, the importer, export_transcript, the migration and the desk."""

import io
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from archive.caching import drop_triggers_before_migrate, ensure_triggers_after_migrate
from archive.models import Correction, Programme, Report, Segment
from archive.search import install_index
from archive.transcripts import parse

from .desk import form_data
from .factories import make_programme, make_report, make_segment
from .test_importer import run

pytestmark = pytest.mark.django_db

TIMED_TRANSCRIPT = """China-Russia Hi-Tech Center
["Technology"]
03:28
Aired: 2018-06-07T19:30+08:00
Outlet: CGTN
Programme: Global Business
Language: en-GB
Source: https://example.org/transcripts/skolkovo
Media: https://media.example/skolkovo.mp4
[0:00:00] The SCO's significance is growing. CGTN's Aljosa Milenkovic sends this report.
[0:00:14.500 --> 0:00:31] Here lays the computer virus Petya, defeated by humans.
[0:01:42] KIRIL KAEM, SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION "We want investors."
[0:02:50] Skolkovo offers a good way forward. Aljosa Milenkovic, CGTN, Skolkovo.
"""


def import_text(tmp_path, text, name="timed.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return run(path)


def export(slug):
    out = io.StringIO()
    call_command("export_transcript", slug, stdout=out)
    return out.getvalue()


# --- the models ---------------------------------------------------------------------


def test_a_report_may_know_only_the_day_it_aired():
    report = make_report(aired_at=date(2018, 6, 7))
    report.refresh_from_db()
    assert (report.aired_on, report.aired_time, report.aired_utc_offset) == (
        date(2018, 6, 7),
        None,
        None,
    )
    assert report.aired_at == date(2018, 6, 7)


def test_a_timed_air_date_keeps_its_zone():
    aired = datetime(2018, 6, 7, 19, 30, tzinfo=dt_timezone(timedelta(hours=-4, minutes=-30)))
    report = make_report(aired_at=aired)
    report.refresh_from_db()
    assert report.aired_at == aired
    assert report.aired_at.utcoffset() == timedelta(hours=-4, minutes=-30)


def test_a_local_time_without_a_zone_stays_without_one():
    report = make_report(aired_at=datetime(2018, 6, 7, 19, 30))
    report.refresh_from_db()
    assert report.aired_at == datetime(2018, 6, 7, 19, 30)
    assert report.aired_at.tzinfo is None


@pytest.mark.parametrize(
    "fields",
    [
        {"aired_time": time(19, 30)},  # a time with no day
        {"aired_on": date(2018, 6, 7), "aired_utc_offset": 60},  # a zone with no time
        {"aired_on": date(2018, 6, 7), "aired_time": time(1), "aired_utc_offset": 24 * 60},
    ],
)
def test_the_database_refuses_an_air_time_it_cannot_mean(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_report(**fields)


def test_language_defaults_to_the_sites():
    assert make_report().language == "en-US"


def test_segment_end_cannot_come_before_its_start_in_the_database():
    report = make_report()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_segment(report, start_seconds=10, end_seconds=9.5)


def test_a_start_time_out_of_order_with_its_neighbours_is_found():
    report = make_report()
    make_segment(report, start_seconds=10)
    make_segment(report, start_seconds=None)
    late = make_segment(report, start_seconds=30)
    assert Segment(report=report, position=4, text="x", start_seconds=20).time_order_error()
    late.start_seconds = 5
    assert "out of order" in late.time_order_error()
    late.start_seconds = 10  # equal to the one before: still in order
    assert late.time_order_error() is None


def test_the_segment_page_refuses_a_start_time_out_of_order(admin_client):
    report = make_report()
    make_segment(report, start_seconds=10)
    second = make_segment(report, start_seconds=20)
    url = reverse("admin:archive_segment_change", args=[second.pk])
    data = form_data(admin_client.get(url))
    data["start_seconds"] = "3"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "this start time is out of order" in response.text
    second.refresh_from_db()
    assert second.start_seconds == 20


def test_a_programme_has_a_natural_key_and_a_list_of_its_reports():
    programme = make_programme("Global Business")
    assert Programme.objects.get_by_natural_key("global-business") == programme
    assert programme.get_absolute_url() == "/reports/?programme=global-business"


# --- the importer and export_transcript -----------------------------------------------


def test_the_importer_stores_header_lines_and_times(tmp_path):
    _, err, error = import_text(tmp_path, TIMED_TRANSCRIPT)
    assert error is None, err
    report = Report.objects.select_related("programme__outlet").get(slug="timed")
    assert report.aired_at == datetime(2018, 6, 7, 19, 30, tzinfo=dt_timezone(timedelta(hours=8)))
    assert (report.programme.name, report.programme.outlet.name) == ("Global Business", "CGTN")
    assert report.language == "en-GB"
    assert report.source_url == "https://example.org/transcripts/skolkovo"
    assert report.media_url == "https://media.example/skolkovo.mp4"
    times = list(report.segments.values_list("kind", "start_seconds", "end_seconds"))
    assert times == [
        ("intro", 0.0, None),
        ("narration", 14.5, 31.0),
        ("soundbite", 102.0, None),
        ("narration", 170.0, None),
        ("signoff", None, None),  # cut from the end of a timed paragraph: its time is unknown
    ]


def test_a_transcript_without_header_lines_imports_with_nothing_invented(tmp_path):
    text = TIMED_TRANSCRIPT.split("\n")
    plain = "\n".join(text[:3] + [line.split("] ", 1)[-1] for line in text[9:]])
    import_text(tmp_path, plain, "plain.txt")
    report = Report.objects.get(slug="plain")
    assert (report.aired_at, report.programme, report.source_url, report.media_url) == (
        None,
        None,
        "",
        "",
    )
    assert report.language == "en-US"
    assert not report.segments.filter(start_seconds__isnull=False).exists()


def test_times_going_backwards_are_refused_with_the_file_and_line(tmp_path):
    backwards = TIMED_TRANSCRIPT.replace("[0:01:42]", "[0:00:05]")
    _, err, error = import_text(tmp_path, backwards, "backwards.txt")
    assert error is not None
    assert "backwards.txt:12: segment 3 starts at 5 s, before segment 2 (14.5 s)" in err
    assert not Report.objects.exists()


def test_a_programme_is_made_once_and_reused(tmp_path):
    import_text(tmp_path, TIMED_TRANSCRIPT, "one.txt")
    import_text(tmp_path, TIMED_TRANSCRIPT.replace("Hi-Tech", "High-Tech"), "two.txt")
    assert Programme.objects.count() == 1
    assert Report.objects.filter(programme__slug="global-business").count() == 2


def test_export_writes_the_header_lines_and_timecodes_back(tmp_path):
    import_text(tmp_path, TIMED_TRANSCRIPT)
    exported = export("timed")
    assert exported.splitlines()[3:9] == TIMED_TRANSCRIPT.splitlines()[3:9]
    assert "[0:00:14.500 --> 0:00:31] Here lays" in exported
    assert parse(exported) == parse(TIMED_TRANSCRIPT)


def test_database_export_import_round_trip_keeps_every_time(tmp_path):
    import_text(tmp_path, TIMED_TRANSCRIPT)
    import_text(tmp_path, export("timed"), "again.txt")
    fields = ("position", "kind", "speaker__slug", "text", "start_seconds", "end_seconds")
    original, again = (
        list(Report.objects.get(slug=slug).segments.values_list(*fields))
        for slug in ("timed", "again")
    )
    assert again == original
    first, second = Report.objects.get(slug="timed"), Report.objects.get(slug="again")
    assert (second.aired_at, second.programme, second.language, second.media_url) == (
        first.aired_at,
        first.programme,
        first.language,
        first.media_url,
    )


def test_dry_run_json_carries_the_provenance(tmp_path, capsys):
    import json

    path = tmp_path / "timed.txt"
    path.write_text(TIMED_TRANSCRIPT, encoding="utf-8")
    out, _, error = run(path, dry_run=True, format="json")
    assert error is None
    parsed = json.loads(out)
    assert parsed["aired_at"] == "2018-06-07T19:30+08:00"
    assert (parsed["programme"], parsed["language"]) == ("Global Business", "en-GB")
    assert parsed["media_url"] == "https://media.example/skolkovo.mp4"
    assert parsed["segments"][1]["start_seconds"] == 14.5
    assert parsed["segments"][1]["end_seconds"] == 31.0


# --- the migration of the old correction field ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_correction_text_moves_into_the_log_and_back():
    executor = MigrationExecutor(connection)
    before, after = [("archive", "0005_segment_times_and_review")], [("archive", "0010_provenance")]
    # As `migrate` does around a run (pre_migrate, post_migrate): the page cache's
    # SQLite triggers name every column, so they come down while columns change.
    drop_triggers_before_migrate(None, using=connection.alias)
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        OldReport = old.get_model("archive", "Report")
        corrected = OldReport.objects.create(
            title="Corrected", slug="corrected", correction="We misspelled a name.\nTwice."
        )
        OldReport.objects.create(title="Clean", slug="clean", correction="")

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        NewCorrection = new.get_model("archive", "Correction")
        entries = list(NewCorrection.objects.values_list("report__slug", "what_was_wrong"))
        assert entries == [("corrected", "We misspelled a name.\nTwice.")]
        entry = NewCorrection.objects.get()
        assert entry.corrected_on == corrected.updated_at.date()

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        back = old.get_model("archive", "Report").objects.get(slug="corrected")
        assert back.correction == "We misspelled a name.\nTwice."
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        # As `migrate` does after a run (post_migrate): rows written while a rebuilt
        # table had no triggers are indexed again, so the test database flushes cleanly.
        install_index(connection, rebuild=True)
        ensure_triggers_after_migrate(None, using=connection.alias)


def test_only_editors_may_write_corrections_and_both_groups_programmes():
    def codenames(group):
        return set(
            Group.objects.get(name=group)
            .permissions.filter(content_type__model__in=["programme", "correction"])
            .values_list("codename", flat=True)
        )

    assert codenames("Contributors") == {
        "add_programme",
        "change_programme",
        "view_programme",
        "view_correction",
    }
    assert {"add_correction", "change_correction", "delete_correction"} <= codenames("Editors")
    assert Permission.objects.filter(codename="add_correction").count() == 1


# --- the desk --------------------------------------------------------------------------


def test_the_report_form_edits_provenance_and_refuses_a_non_web_url(admin_client):
    report = make_report("Desk report")
    make_segment(report, text="First.")
    url = reverse("admin:archive_report_change", args=[report.pk])
    data = form_data(admin_client.get(url))
    data.update(aired_on="2018-06-07", aired_time="19:30", aired_utc_offset="480")
    data.update(language="zh-Hans", media_url="javascript:alert(1)")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Enter a valid URL." in response.text
    data["media_url"] = "https://media.example/r.mp3"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    report.refresh_from_db()
    assert report.aired_at == datetime(2018, 6, 7, 19, 30, tzinfo=dt_timezone(timedelta(hours=8)))
    assert (report.language, report.media_url) == ("zh-Hans", "https://media.example/r.mp3")


def test_the_segment_inline_refuses_times_out_of_order(admin_client):
    report = make_report("Timed desk report")
    make_segment(report, text="First.", start_seconds=1)
    make_segment(report, text="Second.", start_seconds=5)
    url = reverse("admin:archive_report_change", args=[report.pk])
    data = form_data(admin_client.get(url))
    data["segments-1-start_seconds"] = "0.5"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Segment 2 starts at 0.5 s, before segment 1 (1 s)" in response.text
    assert list(report.segments.values_list("start_seconds", flat=True)) == [1, 5]


def test_corrections_are_an_inline_on_the_report(admin_client):
    report = make_report("Report with a correction")
    Correction.objects.create(report=report, what_was_wrong="A wrong date.")
    html = admin_client.get(reverse("admin:archive_report_change", args=[report.pk])).text
    assert "A wrong date." in html and "corrections-TOTAL_FORMS" in html


def test_a_fixture_from_before_the_corrections_log_still_loads(tmp_path):
    import json

    from django.conf import settings as django_settings

    records = json.loads((django_settings.BASE_DIR / "fixtures" / "archive.json").read_text())
    for record in records:
        if record["model"] == "archive.report":
            # As fixtures/archive.json and backups were written before 0010_provenance.
            for field in ("programme", "aired_on", "aired_time", "aired_utc_offset", "language",
                          "source_url", "media_url"):  # fmt: skip
                del record["fields"][field]
            record["fields"]["correction"] = "An earlier version misspelled a name."
    old = tmp_path / "old.json"
    old.write_text(json.dumps(records), encoding="utf-8")

    call_command("loaddata", str(old), verbosity=0)

    report = Report.objects.get()
    (entry,) = report.corrections.all()
    assert entry.what_was_wrong == "An earlier version misspelled a name."
    assert entry.corrected_on == report.updated_at.date()
    assert report.aired_at is None and report.language == "en-US"
