"""What text, times and durations the archive accepts, at every way in, and outputs
that stay whole when an old row breaks the rule (issue 9, items 3, 5, 6 and 8)."""

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings

from archive.admin.forms import ScheduleForm, WithdrawForm
from archive.models import Organization, Quote, Report, Segment, Speaker, Topic
from archive.text import for_output, text_problem
from tests.desk import form_data, with_time
from tests.factories import (
    make_organization,
    make_quote,
    make_report,
    make_segment,
    make_speaker,
    make_topic,
)
from tests.test_importer import run, table_counts

pytestmark = pytest.mark.django_db

SEED = settings.BASE_DIR / "fixtures" / "transcripts" / "skolkovo-china-russia-hi-tech-center.txt"
FORBIDDEN = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1e", "\x1f", "\x7f", "\x85", "\ud800",
             "\udfff", "\ufffe", "\uffff"]  # fmt: skip
ALLOWED = ["\t", "\n", "\r\n", " ", "é", "中国", "\u2028", "\ufeff", "\ufffd", "😀", "\U0010fffd"]


# --- the rule ----------------------------------------------------------------------


@pytest.mark.parametrize("character", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_the_rule_refuses_controls_nul_surrogates_and_noncharacters(character):
    problem = text_problem(f"A title{character}here")
    assert problem and f"U+{ord(character):04X}" in problem
    assert character not in problem  # the message can be printed anywhere
    assert for_output(f"a{character}b") == "a\ufffdb"


@pytest.mark.parametrize("text", ALLOWED)
def test_the_rule_accepts_tab_line_breaks_and_every_real_character(text):
    assert text_problem(f"Words{text}more") is None
    assert for_output(text) == text


# --- models' validation ----------------------------------------------------------------


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda bad: Report(title=f"A{bad}", slug="a"), "title"),
        (lambda bad: Report(title="A", slug="a", dateline=f"Kyiv{bad}"), "dateline"),
        (lambda bad: Report(title="A", slug="a", withdrawal_reason=bad), "withdrawal_reason"),
        (lambda bad: Organization(name=f"CGTN{bad}", slug="cgtn"), "name"),
        (lambda bad: Speaker(name=f"Ann{bad}", slug="ann"), "name"),
        (lambda bad: Topic(name=f"Energy{bad}", slug="energy"), "name"),
    ],
)
@pytest.mark.parametrize("bad", ["\x0b", "\x1e", "\x00", "\ud800"], ids=["VT", "RS", "NUL", "D800"])
def test_full_clean_refuses_forbidden_text_on_the_field(make, field, bad):
    with pytest.raises(ValidationError) as refusal:
        make(bad).full_clean()
    assert field in refusal.value.message_dict
    assert "U+" in refusal.value.message_dict[field][0]


def test_full_clean_refuses_forbidden_text_in_segments_and_quotes():
    segment = make_segment(kind="soundbite", speaker=make_speaker())
    with pytest.raises(ValidationError) as refusal:
        Segment(report=segment.report, position=2, text="Words\x0c").full_clean()
    assert "text" in refusal.value.message_dict
    with pytest.raises(ValidationError) as refusal:
        Quote(segment=segment, speaker=segment.speaker, text="Words\x01").full_clean()
    assert "text" in refusal.value.message_dict


def test_full_clean_keeps_the_other_fields_errors_too():
    with pytest.raises(ValidationError) as refusal:
        Report(title="A\x0b", slug="not a slug", duration=timedelta(minutes=-1)).full_clean()
    assert {"title", "slug", "duration"} <= set(refusal.value.message_dict)


def test_full_clean_accepts_text_with_tabs_and_crlf_line_breaks():
    Report(title="A\ttitle", slug="a", withdrawal_reason="Line one.\r\nLine two.").full_clean()


# --- admin forms ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x0b", "\x1e", "\x00"], ids=["VT", "RS", "NUL"])
def test_the_report_form_refuses_forbidden_text_with_a_form_error(admin_client, bad):
    report = make_report("Clean title")
    url = f"/admin/archive/report/{report.pk}/change/"
    data = form_data(admin_client.get(url))

    response = admin_client.post(url, {**data, "title": f"Dirty{bad}title"})

    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    report.refresh_from_db()
    assert report.title == "Clean title"


def test_the_segment_inline_and_the_speaker_form_refuse_control_characters(admin_client):
    report = make_report()
    make_segment(report, text="Clean words.")
    url = f"/admin/archive/report/{report.pk}/change/"
    data = form_data(admin_client.get(url))

    response = admin_client.post(url, {**data, "segments-0-text": "Dirty\x0bwords."})

    assert response.status_code == 200
    assert report.segments.get().text == "Clean words."
    response = admin_client.post("/admin/archive/speaker/add/", {"name": "Ann\x1eB", "slug": "ann"})
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert not Speaker.objects.exists()


def test_withdrawing_refuses_a_reason_with_a_control_character():
    assert not WithdrawForm({"reason": "Wrong\x0bfootage"}).is_valid()
    assert WithdrawForm({"reason": "Wrong footage.\r\nSorry."}).is_valid()


# --- the importer ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, line",
    [
        (b"Title\x0bwith a VT\n[]\n03:28\nA paragraph.\n", 1),
        (b"Title\n[]\n03:28\nA paragraph.\nAnother \x0c one.\n", 5),
        (b'Title\n["Energy\\u0001"]\n03:28\nA paragraph.\n', 2),
        (b'Title\n["\\u0000"]\n03:28\nA paragraph.\n', 2),
        (b'Title\n["\\ud800"]\n03:28\nA paragraph.\n', 2),
        ("Title\n[]\n03:28\nA \ufffe paragraph.\n".encode(), 4),
    ],
    ids=["title-VT", "paragraph-FF", "topic-SOH", "topic-NUL", "topic-surrogate", "FFFE"],
)
def test_the_importer_refuses_a_file_with_forbidden_text_in_one_line(tmp_path, data, line):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)

    out, err, error = run(path)

    assert error is not None
    refusals = [row for row in err.splitlines() if row.startswith(str(path))]
    assert len(refusals) == 1
    assert refusals[0].startswith(f"{path}:{line}: ") and "U+" in refusals[0]
    assert table_counts() == [0] * 6


def test_a_lone_surrogate_in_topics_refuses_that_file_and_the_batch_imports(tmp_path):
    (tmp_path / "a-bad.txt").write_bytes(b'Title\n["\\ud800"]\n03:28\nA paragraph.\n')
    (tmp_path / "b-good.txt").write_bytes(SEED.read_bytes())

    _, err, error = run(tmp_path)

    assert error is not None
    assert f"{tmp_path / 'a-bad.txt'}:2: a topic holds an unpaired surrogate (U+D800)" in err
    assert list(Report.objects.values_list("slug", flat=True)) == ["b-good"]
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in err


def test_dry_run_json_with_a_lone_surrogate_prints_the_good_parses(tmp_path):
    (tmp_path / "a-bad.txt").write_bytes(b'Title\n["\\ud800"]\n03:28\nA paragraph.\n')
    (tmp_path / "b-good.txt").write_bytes(SEED.read_bytes())
    env = {**os.environ, "DEBUG": "1", "PYTHONIOENCODING": "utf-8"}

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_transcripts",
            str(tmp_path),
            "--dry-run",
            "--format",
            "json",
        ],  # fmt: skip
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert [p["file"] for p in json.loads(result.stdout)] == [str(tmp_path / "b-good.txt")]
    assert result.stderr.count(f"{tmp_path / 'a-bad.txt'}:2: ") == 1


# --- outputs of old rows ---------------------------------------------------------------


def old_dirty_report():
    """A public report stored before the rule, as a bulk write still could."""
    report = make_report(
        "Dirty\x0btitle\x1e",
        dateline="Kyiv\x0c",
        outlet=make_organization("CGTN\x1f"),
        correspondent=make_speaker("Ann\x01 Lee"),
        duration=timedelta(minutes=3),
    )
    report.topics.add(make_topic("Energy\x0b"))
    make_quote(make_segment(report, text="Said\x0b on air.", speaker=make_speaker("Bo\x1e Ma")))
    return report


def test_the_feed_of_an_old_row_with_control_characters_is_valid_xml(client):
    old_dirty_report()

    response = client.get("/feeds/reports/")

    assert response.status_code == 200
    item = ET.fromstring(response.content).find("channel/item")
    assert item.findtext("title") == "Dirty\ufffdtitle\ufffd"
    assert "CGTN\ufffd" in item.findtext("description")
    assert "Ann\ufffd Lee" in response.content.decode()


def test_pages_sitemap_and_citations_of_an_old_row_answer(client):
    report = old_dirty_report()
    base = report.get_absolute_url()
    quote = Quote.objects.get()
    topic = Topic.objects.get()
    urls = ["/", "/reports/", base, "/speakers/", quote.get_absolute_url(), "/quotes/",
            topic.get_absolute_url(), "/search/?q=dirty", "/sitemap.xml"]  # fmt: skip
    urls += [f"{base}cite.{fmt}" for fmt in ("txt", "json", "bib", "ris")]
    for url in urls:
        assert client.get(url).status_code == 200, url
    ET.fromstring(client.get("/sitemap.xml").content)
    assert json.loads(client.get(f"{base}cite.json").content)[0]["title"] == report.title


# --- NUL in addresses (PostgreSQL refuses any query holding one) -------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/reports/a%00b/",
        "/speakers/%00/",
        "/topics/%00/",
        "/reports/x%00/cite.bib",
        "/quotes/1%00/",
        "/admin/archive/report/%00/change/",
    ],  # fmt: skip
)
def test_a_nul_in_the_path_is_404(admin_client, path):
    assert admin_client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/reports/?topic=%00", "/search/?q=a%00b", "/reports/?page=%00", "/?x%00=1",
     "/admin/archive/report/?status=%00", "/admin/archive/report/?q=%00",
     "/admin/archive/segment/?kind=%00",
     "/admin/autocomplete/?term=%00&app_label=archive&model_name=report&field_name=correspondent"],
)  # fmt: skip
def test_a_nul_in_the_query_string_is_400_for_public_and_admin_pages(admin_client, path):
    report = make_report()
    make_segment(report)
    assert admin_client.get(path).status_code == 400


def test_a_nul_in_an_admin_form_is_a_form_error(admin_client):
    report = make_report("Clean title")
    url = f"/admin/archive/report/{report.pk}/change/"
    response = admin_client.post(url, {**form_data(admin_client.get(url)), "dateline": "a\x00b"})
    assert response.status_code == 200
    assert "dateline" in response.context["adminform"].form.errors


# --- times and durations -----------------------------------------------------------------

YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)


@override_settings(TIME_ZONE="America/New_York")
def test_an_old_row_published_in_year_one_breaks_no_public_page(client):
    report = make_report("Ancient", published_at=YEAR_ONE)
    make_segment(report, text="Ancient words.")
    for url in ["/", "/reports/", "/search/?q=ancient", "/quotes/", "/feeds/reports/"]:
        assert client.get(url).status_code == 200, url
    # A time no zone can show is outside the one visibility rule: not public.
    assert client.get(report.get_absolute_url()).status_code == 404
    assert not Report.objects.public().exists()


@pytest.mark.parametrize(
    "when",
    [YEAR_ONE, datetime(1899, 12, 31, 23, 59, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC)],
)
def test_full_clean_and_the_schedule_form_refuse_times_outside_1900_to_2999(when):
    with pytest.raises(ValidationError) as refusal:
        Report(title="A", slug="a", status="published", published_at=when).full_clean()
    assert "published_at" in refusal.value.message_dict
    form = ScheduleForm({"published_at": when.strftime("%Y-%m-%d %H:%M")})
    assert not form.is_valid()


def test_the_report_form_refuses_year_one_with_a_form_error(admin_client):
    report = make_report("Clean title")
    url = f"/admin/archive/report/{report.pk}/change/"
    data = with_time(form_data(admin_client.get(url)), "published_at", report.published_at)
    data["published_at_0"] = "0001-01-01"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "published_at" in response.context["adminform"].form.errors
    assert Report.objects.get().published_at == report.published_at


@pytest.mark.parametrize("duration", ["-1:00", "-00:00:01"])
def test_the_report_form_refuses_a_negative_duration(admin_client, duration):
    report = make_report("Clean title", duration=timedelta(minutes=3))
    url = f"/admin/archive/report/{report.pk}/change/"

    response = admin_client.post(url, {**form_data(admin_client.get(url)), "duration": duration})

    assert response.status_code == 200
    assert "duration" in response.context["adminform"].form.errors
    assert Report.objects.get().duration == timedelta(minutes=3)


def test_import_refuses_a_publication_time_outside_the_range_in_one_line(tmp_path):
    with pytest.raises(CommandError, match="between the years 1900 and 2999"):
        call_command("import_transcripts", str(SEED), "--published-at", "0001-01-01T00:00Z")
    assert table_counts() == [0] * 6


def test_export_of_an_old_row_with_a_negative_duration_is_one_line():
    report = make_report("Negative", duration=timedelta(minutes=-1))
    make_segment(report)
    with pytest.raises(CommandError, match="cannot be written as a transcript"):
        call_command("export_transcript", report.slug, stdout=io.StringIO())
