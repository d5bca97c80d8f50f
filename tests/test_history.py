"""Revisions of a report with its segments and quotes: record, compare, revert; no lost edits."""

import pytest
from reversion.models import Version

from archive.models import Quote, Segment
from tests.desk import client_for, form_data, make_user
from tests.factories import make_quote, make_report, make_segment, make_speaker

pytestmark = pytest.mark.django_db


def change_url(report):
    return f"/admin/archive/report/{report.pk}/change/"


def save(client, report, **changes):
    data = {**form_data(client.get(change_url(report))), **changes}
    response = client.post(change_url(report), data)
    assert response.status_code == 302, response.context["errors"]
    return response


@pytest.fixture
def report():
    report = make_report(status="draft")
    speaker = make_speaker("Kiril Kaem")
    first = make_segment(report, text="In the first place, investors.", speaker=speaker)
    make_segment(report, text="Narration here.")
    make_quote(first, text="investors")
    return report


@pytest.fixture
def editor(client):
    return client_for(client, make_user("editor"))


def test_each_admin_save_is_a_revision_with_user_segments_and_quotes(editor, report):
    save(editor, report, **{"segments-1-text": "Narration, corrected."})
    version = Version.objects.get_for_object(report).get()
    assert version.revision.user.username == "editor"
    held = {v.content_type.model for v in version.revision.version_set.all()}
    assert held == {"report", "segment", "quote"}


def test_revert_restores_deleted_and_edited_segments_and_quotes(editor, report):
    save(editor, report)
    first_version = Version.objects.get_for_object(report).get()
    originals = {s.pk: s.text for s in report.segments.all()}
    quote = Quote.objects.get()
    # Delete the quoted segment (its quote goes with it) and rewrite the other.
    save(editor, report, **{"segments-0-DELETE": "on", "segments-1-text": "Rewritten."})
    assert report.segments.count() == 1 and not Quote.objects.exists()

    url = f"/admin/archive/report/{report.pk}/history/{first_version.pk}/"
    data = form_data(editor.get(url))
    assert editor.post(url, data).status_code == 302
    assert {s.pk: s.text for s in report.segments.all()} == originals
    assert Quote.objects.get().pk == quote.pk


def test_revert_restores_an_order_changed_since(editor, report):
    save(editor, report)
    first_version = Version.objects.get_for_object(report).get()
    before = list(report.segments.values_list("pk", flat=True))
    save(editor, report, **{"segments-0-order": "9"})
    assert list(report.segments.values_list("pk", flat=True)) == before[::-1]
    url = f"/admin/archive/report/{report.pk}/history/{first_version.pk}/"
    assert editor.post(url, form_data(editor.get(url))).status_code == 302
    assert list(report.segments.values_list("pk", flat=True)) == before
    assert list(report.segments.values_list("position", flat=True)) == [1, 2]


def test_viewing_an_old_version_changes_nothing(editor, report):
    save(editor, report)
    version = Version.objects.get_for_object(report).get()
    save(editor, report, **{"segments-1-text": "Rewritten."})
    editor.get(f"/admin/archive/report/{report.pk}/history/{version.pk}/")
    assert report.segments.get(position=2).text == "Rewritten."


def test_compare_lists_field_differences_in_segments(editor, report):
    save(editor, report)
    save(editor, report, title="New title", **{"segments-1-text": "Rewritten."})
    old, new = Version.objects.get_for_object(report).order_by("pk")
    history = editor.get(f"/admin/archive/report/{report.pk}/history/")
    assert "Compare two versions" in history.text
    response = editor.get(
        f"/admin/archive/report/{report.pk}/history/compare/",
        {"old": old.revision_id, "new": new.revision_id},
    )
    rows = {(d.field, d.before, d.after) for d in response.context["differences"]}
    assert ("text", "Narration here.", "Rewritten.") in rows
    assert ("title", report.title, "New title") in rows


def test_a_contributor_cannot_revert_to_a_published_version(editor, report):
    from django.test import Client

    save(editor, report, status="published")
    published = Version.objects.get_for_object(report).get()
    save(editor, report, status="draft")
    url = f"/admin/archive/report/{report.pk}/history/{published.pk}/"
    data = form_data(editor.get(url))
    contributor = client_for(Client(), make_user("contributor"))
    assert contributor.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.status == "draft"


def test_a_concurrent_edit_is_refused_and_the_first_edit_kept(client, report):
    from django.test import Client

    first, second = Client(), client
    client_for(first, make_user("editor"))
    alice = make_user("contributor")
    alice.first_name, alice.last_name = "Alice", "Adams"
    alice.save()
    client_for(second, alice)
    first_form = form_data(first.get(change_url(report)))
    second_form = form_data(second.get(change_url(report)))

    first.post(change_url(report), {**first_form, "segments-0-speaker_title": "SVP"})
    response = second.post(change_url(report), {**second_form, "segments-0-text": "Overwrite."})

    assert response.status_code == 200
    message = str(response.context["adminform"].form.non_field_errors())
    assert "editor saved this report at" in message and "NOT saved" in message
    segment = report.segments.get(position=1)
    assert segment.speaker_title == "SVP" and segment.text == "In the first place, investors."


def test_an_edit_to_a_segment_on_its_own_page_also_blocks_a_stale_report_form(editor, report):
    stale = form_data(editor.get(change_url(report)))
    segment = report.segments.get(position=1)
    segment_url = f"/admin/archive/segment/{segment.pk}/change/"
    segment_form = {**form_data(editor.get(segment_url)), "speaker_title": "CEO"}
    assert editor.post(segment_url, segment_form).status_code == 302
    response = editor.post(change_url(report), {**stale, "segments-0-speaker_title": "old"})
    assert response.status_code == 200
    assert Segment.objects.get(pk=segment.pk).speaker_title == "CEO"


@pytest.mark.parametrize("part", ["segment", "quote"])
def test_a_stale_segment_or_quote_page_is_refused_after_a_report_save(editor, report, part):
    segment = report.segments.get(position=1)
    obj = segment if part == "segment" else segment.quotes.get()
    part_url = f"/admin/archive/{part}/{obj.pk}/change/"
    stale = form_data(editor.get(part_url))

    save(editor, report, **{"segments-0-text": "In the first place, investors and banks."})
    response = editor.post(part_url, {**stale, "text": "Overwrite."})

    assert response.status_code == 200
    assert "NOT saved" in str(response.context["adminform"].form.non_field_errors())
    segment.refresh_from_db()
    assert segment.text == "In the first place, investors and banks."
    assert Quote.objects.get(segment=segment).text == "investors"


@pytest.mark.parametrize("part", ["segment", "quote"])
def test_a_fresh_segment_or_quote_page_saves(editor, report, part):
    segment = report.segments.get(position=1)
    obj = segment if part == "segment" else segment.quotes.get()
    part_url = f"/admin/archive/{part}/{obj.pk}/change/"
    text = "In the first place" if part == "quote" else "In the first place, lenders."
    response = editor.post(part_url, {**form_data(editor.get(part_url)), "text": text})
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.text == text
