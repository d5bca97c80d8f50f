"""Review with words: a note goes with a report to review and back, into its history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from reversion.models import Version

from archive import workflow
from archive.models import Report
from tests.desk import client_for, make_user
from tests.factories import make_report

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:archive_report_changelist"


def act(client, action, report, note):
    data = {"action": action, "_selected_action": [report.pk], "apply": "1", "note": note}
    return client.post(reverse(CHANGELIST), data, follow=True)


def test_a_note_goes_to_review_and_back_and_shows_in_the_history(client):
    contributor, editor = make_user("contributor"), make_user("editor")
    report = make_report(status=Report.Status.DRAFT, created_by=contributor)
    writer = client_for(client, contributor)
    act(writer, "send_to_review", report, "Please check the speakers' titles.")
    report.refresh_from_db()
    assert report.status == Report.Status.REVIEW
    assert (report.review_note, report.review_note_by) == (
        "Please check the speakers' titles.",
        contributor,
    )

    reviewer = client_for(type(client)(), editor)
    act(reviewer, "send_back", report, "The mayor's title is wrong.")
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    assert (report.review_note_by, report.review_note_to) == (editor, contributor)

    comments = [v.revision.comment for v in Version.objects.get_for_object(report)]
    assert "Sent to review with a note: Please check the speakers' titles." in comments
    assert "Sent back to draft with a note: The mayor's title is wrong." in comments
    history = writer.get(reverse("admin:archive_report_history", args=[report.pk])).content
    assert "The mayor&#x27;s title is wrong." in history.decode()
    home = writer.get(reverse("admin:index")).content.decode()
    assert "The mayor&#x27;s title is wrong." in home
    assert (
        "The mayor&#x27;s title is wrong."
        not in reviewer.get(reverse("admin:index")).content.decode()
    )


def test_the_note_asks_first_and_may_be_left_empty(client):
    report = make_report(status=Report.Status.DRAFT)
    writer = client_for(client, make_user("contributor"))
    data = {"action": "send_to_review", "_selected_action": [report.pk]}
    page = writer.post(reverse(CHANGELIST), data)
    assert page.status_code == 200 and 'name="note"' in page.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT  # nothing moved before the note page
    act(writer, "send_to_review", report, "")
    report.refresh_from_db()
    assert report.status == Report.Status.REVIEW and report.review_note == ""


def test_a_note_with_a_control_character_is_refused_and_nothing_moves(client):
    report = make_report(status=Report.Status.DRAFT)
    page = act(client_for(client, make_user("contributor")), "send_to_review", report, "bad\x07")
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT and report.review_note == ""


def test_only_drafts_go_to_review_and_only_editors_send_back():
    contributor, editor = make_user("contributor"), make_user("editor")
    live = make_report()
    with pytest.raises(ValidationError, match="only drafts go to review"):
        workflow.send_to_review(live, user=editor)
    in_review = make_report(status=Report.Status.REVIEW)
    with pytest.raises(PermissionDenied):
        workflow.send_back(in_review, user=contributor)
    with pytest.raises(ValidationError, match="not in review"):
        workflow.send_back(make_report(status=Report.Status.DRAFT), user=editor)
    live.refresh_from_db()
    in_review.refresh_from_db()
    assert live.status == Report.Status.PUBLISHED and in_review.status == Report.Status.REVIEW


def test_sent_back_without_a_sender_goes_to_whoever_made_it():
    maker, editor = make_user("contributor"), make_user("editor")
    report = make_report(status=Report.Status.REVIEW, created_by=maker)
    workflow.send_back(report, user=editor, note="Shorter, please.")
    report.refresh_from_db()
    assert report.review_note_to == maker and report.review_note == "Shorter, please."
