"""Segments the parser was unsure of: no quote, no publishing by any route, until an editor
confirms the speaker on the desk."""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from archive import workflow
from archive.models import Quote, Report, Segment, SpeakerBasis
from tests.desk import client_for, form_data, make_user
from tests.factories import make_report, make_segment, make_speaker

pytestmark = pytest.mark.django_db

UNSURE = """A briefing on the port agreement
[]
[0:00:05] MR HALVERSON: Good morning.
QUESTION: When is the signing?
[0:00:12 --> 0:00:20] MARK ODUYA, HARBOR PILOT: On Friday, if the weather holds.
"""
CHANGELIST = "/admin/archive/report/"
QUERIES_FOR_THE_FILTERED_SEGMENT_LIST = 7  # the same for 10 rows as for 300


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_transcripts", *map(str, args), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def unsure_file(tmp_path):
    path = tmp_path / "port-briefing.txt"
    path.write_text(UNSURE, encoding="utf-8")
    return path


def test_an_unsure_segment_is_stored_marked_and_gets_no_quote(unsure_file):
    run(unsure_file)
    segments = Segment.objects.order_by("position")
    stored = [(s.speaker.name if s.speaker else None, s.speaker_basis, s.needs_review,
               s.start_seconds, s.end_seconds) for s in segments]  # fmt: skip
    assert stored == [
        ("Halverson", SpeakerBasis.GUESS, True, 5.0, None),
        (None, "", False, None, None),
        ("Mark Oduya", SpeakerBasis.CUE, False, 12.0, 20.0),
    ]
    assert list(Quote.objects.values_list("speaker__name", flat=True)) == ["Mark Oduya"]


def test_publish_leaves_an_unsure_report_in_review_and_says_so(unsure_file, tmp_path):
    sure = tmp_path / "sure.txt"
    sure.write_text('A sure report\n[]\nIntro.\nMARK ODUYA, PILOT "Friday."\n', "utf-8")
    _out, err = run(unsure_file, sure, publish=True)
    assert dict(Report.objects.values_list("slug", "status")) == {
        "port-briefing": Report.Status.REVIEW,
        "sure": Report.Status.PUBLISHED,
    }
    assert "1 reports left in review, not published" in err
    assert not Report.objects.public().filter(slug="port-briefing").exists()


@pytest.fixture
def unsure_report():
    report = make_report(status=Report.Status.REVIEW)
    make_segment(report, kind="soundbite", speaker=make_speaker("Halverson"), needs_review=True,
                 speaker_basis=SpeakerBasis.GUESS)  # fmt: skip
    return report


def publish_by_change_form(client, report):
    url = f"{CHANGELIST}{report.pk}/change/"
    client.post(url, {**form_data(client.get(url)), "status": "published"})


def publish_by_bulk_action(client, report):
    data = {"action": "publish_now", "_selected_action": [report.pk], "apply": "1"}
    response = client.post(CHANGELIST, data, follow=True)
    assert "confirm the speaker" in response.text


def publish_by_schedule_action(client, report):
    data = {"action": "schedule", "_selected_action": [report.pk], "apply": "1",
            "published_at": "2100-01-01 10:00:00"}  # fmt: skip
    response = client.post(CHANGELIST, data, follow=True)
    # The action ran (its form was valid) and reported the refusal.
    assert "confirm the speaker" in response.text


@pytest.mark.parametrize(
    "route", [publish_by_change_form, publish_by_bulk_action, publish_by_schedule_action]
)
def test_no_desk_route_publishes_a_report_with_a_segment_to_review(client, unsure_report, route):
    route(client_for(client, make_user("editor")), unsure_report)
    unsure_report.refresh_from_db()
    assert unsure_report.status == Report.Status.REVIEW


@pytest.mark.parametrize("move", ["publish", "schedule"])
def test_the_workflow_functions_refuse_it_from_the_shell(unsure_report, move):
    editor = make_user("editor")
    with pytest.raises(ValidationError, match="confirm the speaker"):
        if move == "publish":
            workflow.publish(unsure_report, user=editor)
        else:
            workflow.schedule(unsure_report, timezone.now() + timedelta(days=1), user=editor)
    unsure_report.refresh_from_db()
    assert unsure_report.status == Report.Status.REVIEW


def test_the_change_form_says_why_it_refuses(client, unsure_report):
    client_for(client, make_user("editor"))
    url = f"{CHANGELIST}{unsure_report.pk}/change/"
    page = client.post(url, {**form_data(client.get(url)), "status": "published"})
    assert "need an editor to confirm the speaker" in page.text


def test_confirming_the_speaker_on_the_segment_page_clears_the_mark(client, unsure_report):
    segment = unsure_report.segments.get()
    client_for(client, make_user("editor"))
    url = f"/admin/archive/segment/{segment.pk}/change/"
    client.post(url, {**form_data(client.get(url)), "speaker_confirmed": "on"})
    segment.refresh_from_db()
    assert (segment.needs_review, segment.speaker_basis) == (False, SpeakerBasis.EDITOR)
    assert workflow.publish_blockers(unsure_report) == []
    workflow.publish(unsure_report, user=make_user("superuser"))
    assert unsure_report in Report.objects.public()


def test_saving_the_segment_unchanged_keeps_the_mark(client, unsure_report):
    segment = unsure_report.segments.get()
    client_for(client, make_user("editor"))
    url = f"/admin/archive/segment/{segment.pk}/change/"
    client.post(url, form_data(client.get(url)))
    segment.refresh_from_db()
    assert segment.needs_review


def test_correcting_the_speaker_on_the_report_page_clears_the_mark(client, unsure_report):
    segment = unsure_report.segments.get()
    right = make_speaker("Tom Halverson")
    client_for(client, make_user("editor"))
    url = f"{CHANGELIST}{unsure_report.pk}/change/"
    data = form_data(client.get(url))
    data["segments-0-speaker"] = str(right.pk)
    client.post(url, data)
    segment.refresh_from_db()
    assert (segment.speaker, segment.needs_review, segment.speaker_basis) == (
        right,
        False,
        SpeakerBasis.EDITOR,
    )


def test_the_desk_filters_segments_that_need_review(admin_client, unsure_report):
    make_segment(unsure_report, text="A sure segment.")
    listing = admin_client.get("/admin/archive/segment/?needs_review__exact=1")
    shown = list(listing.context["cl"].result_list)
    assert shown == list(Segment.objects.filter(needs_review=True))
    assert len(shown) == 1


def test_dry_run_tells_an_editor_what_the_import_will_do(unsure_file, django_assert_num_queries):
    with django_assert_num_queries(0):
        out, _err = run(unsure_file, dry_run=True)
    assert out.splitlines() == [
        f"{unsure_file}: name-colon style, 3 segments",
        "  segments: 3 soundbite",
        "  speakers (2):",
        "    Halverson",
        "    Mark Oduya — HARBOR PILOT",
        "  1 segments need review: they get no quote and hold publishing",
        "  warning: line 3: the report has no intro; it opens with a cue",
        "  warning: line 3: the text gives no full name for 'MR HALVERSON'; the segment needs "
        "review",
    ]


def test_dry_run_json_carries_style_times_and_review(unsure_file, capfd):
    call_command("import_transcripts", str(unsure_file), dry_run=True, format="json")
    parsed = json.loads(capfd.readouterr().out)
    assert parsed["style"] == "name-colon"
    assert [
        (s["start_seconds"], s["end_seconds"], s["needs_review"]) for s in parsed["segments"]
    ] == [
        (5.0, None, True),
        (None, None, False),
        (12.0, 20.0, False),
    ]


def test_folders_are_searched_for_caption_files_too(tmp_path):
    (tmp_path / "a.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHello.\n", "utf-8")
    (tmp_path / "b.srt").write_text("1\n00:00:01,000 --> 00:00:02,500\nHi.\n", "utf-8")
    (tmp_path / "notes.md").write_text("not a transcript", "utf-8")
    run(tmp_path)
    assert sorted(Report.objects.values_list("slug", flat=True)) == ["a", "b"]
    assert Segment.objects.get(report__slug="b").end_seconds == 2.5


@pytest.mark.parametrize("rows", [10, 300])
def test_the_needs_review_filter_costs_the_same_queries_for_10_and_300_segments(
    admin_client, django_assert_num_queries, rows
):
    report, speaker = make_report(status=Report.Status.REVIEW), make_speaker("Halverson")
    Segment.objects.bulk_create(
        Segment(report=report, position=n, text="Words.", speaker=speaker, needs_review=True)
        for n in range(1, rows + 1)
    )
    url = "/admin/archive/segment/?needs_review__exact=1"
    admin_client.get(url)  # warm the content-type cache
    with django_assert_num_queries(QUERIES_FOR_THE_FILTERED_SEGMENT_LIST):
        response = admin_client.get(url)
    assert response.context["cl"].result_count == rows
