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
    # Delete the quoted segment (its quote goes with it, as confirmed) and rewrite the other.
    deletion = {"segments-0-DELETE": "on", "segments-0-delete_quotes_too": "on"}
    save(editor, report, **deletion, **{"segments-1-text": "Rewritten."})
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


# --- Who may revert what (issue 9, items 1 and 2) ---------------------------------

from django.core.exceptions import PermissionDenied  # noqa: E402
from django.test import Client  # noqa: E402

from archive import history, workflow  # noqa: E402
from archive.models import Report  # noqa: E402


def other_user(role):
    """A second user in ``role`` (``make_user`` names users by their role)."""
    user = make_user(role)
    user.username = f"other-{role}"
    user.save()
    return user


def other_client(role):
    return client_for(Client(), other_user(role))


def revert(client, model, version):
    url = f"/admin/archive/{model}/{version.object_id}/history/{version.pk}/"
    data = form_data(other_client("superuser").get(url))  # what an editor's form would post
    return client.post(url, data)


@pytest.fixture
def contributor():
    return client_for(Client(), make_user("contributor"))


@pytest.fixture
def live_report_with_a_part_saved(report):
    """An editor saves a segment and a quote of a live report on their own pages, then withdraws it.

    Returns the report, the editor's client and the versions of the segment and of the
    quote those saves recorded.
    """
    desk_editor = other_user("editor")
    editor = client_for(Client(), desk_editor)
    workflow.publish(report, user=desk_editor)
    segment = report.segments.get(position=1)
    versions = {}
    for model, obj in (("segment", segment), ("quote", segment.quotes.get())):
        url = f"/admin/archive/{model}/{obj.pk}/change/"
        assert editor.post(url, form_data(editor.get(url))).status_code == 302
        versions[model] = Version.objects.get_for_object(obj).order_by("pk").last()
    workflow.withdraw(report, "Wrong footage.", user=desk_editor)
    return report, editor, versions


@pytest.mark.parametrize("part", ["segment", "quote"])
def test_a_contributor_reverting_a_part_cannot_republish_its_withdrawn_report(
    contributor, live_report_with_a_part_saved, part
):
    report, _editor, versions = live_report_with_a_part_saved
    response = revert(contributor, part, versions[part])
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "withdrawn" and not report.is_public


@pytest.mark.parametrize("part", ["segment", "quote"])
def test_an_editor_reverting_a_part_restores_the_report_as_it_was(
    live_report_with_a_part_saved, part
):
    report, editor, versions = live_report_with_a_part_saved
    assert revert(editor, part, versions[part]).status_code == 302
    report.refresh_from_db()
    assert report.is_public


@pytest.mark.parametrize("part", ["segment", "quote"])
def test_a_contributor_cannot_recover_a_report_an_editor_deleted_through_its_parts(
    contributor, live_report_with_a_part_saved, part
):
    report, _editor, versions = live_report_with_a_part_saved
    report.delete()
    response = contributor.post(f"/admin/archive/{part}/recover/{versions[part].pk}/")
    assert response.status_code == 302
    assert not Report.objects.exists()


def test_a_contributor_cannot_delete_parts_by_reverting_a_report_to_the_same_state(
    contributor, editor, report
):
    save(editor, report)
    old = Version.objects.get_for_object(report).get()
    added = make_segment(report, text="Added by an editor.", speaker=make_speaker("Ed Itor"))
    make_quote(added, text="Added")
    response = revert(contributor, "report", old)
    assert response.status_code == 302
    refusal = " ".join(m.message for m in response.wsgi_request._messages)
    assert "this would delete 1 quote and 1 segment." in refusal
    assert report.segments.filter(pk=added.pk).exists() and added.quotes.exists()


def test_an_editor_reverting_a_report_deletes_the_parts_added_since(editor, report):
    save(editor, report)
    old = Version.objects.get_for_object(report).get()
    added = make_segment(report, text="Added by mistake.")
    assert revert(editor, "report", old).status_code == 302
    assert not report.segments.filter(pk=added.pk).exists()


def test_a_contributor_may_revert_what_changes_neither_state_nor_parts(contributor, report):
    segment = report.segments.get(position=2)
    url = f"/admin/archive/segment/{segment.pk}/change/"
    assert contributor.post(url, form_data(contributor.get(url))).status_code == 302
    old = Version.objects.get_for_object(segment).get()
    segment.text = "Rewritten."
    segment.save()
    assert revert(contributor, "segment", old).status_code == 302
    segment.refresh_from_db()
    assert segment.text == "Narration here."


def test_the_shell_reverts_through_the_same_check(editor, report):
    save(editor, report)
    old = Version.objects.get_for_object(report).get().revision
    make_segment(report, text="Added since.")
    with pytest.raises(PermissionDenied):
        history.Revert(old, user=make_user("contributor")).execute()
    assert report.segments.count() == 3
    history.Revert(old, user=make_user("superuser")).execute()
    assert report.segments.count() == 2
