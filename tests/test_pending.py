"""Changes to live reports wait for an editor: the review gate, publishing and discarding."""

from types import SimpleNamespace

import pytest
from reversion.models import Revision, Version

from archive.models import PendingChange, Report, Segment
from archive.pending import review_gate
from tests.desk import make_user
from tests.factories import make_quote, make_report, make_segment, make_speaker

pytestmark = pytest.mark.django_db


def as_request(user):
    return SimpleNamespace(user=user)


@pytest.fixture
def live():
    report = make_report("Live report")
    segment = make_segment(report, text="Investors came first.", speaker=make_speaker("Kiril Kaem"))
    make_quote(segment, text="Investors came first")
    return report


def correct_a_word(report, gate_request, **kwargs):
    with review_gate(gate_request, report, comment="Fix a word", **kwargs) as gate:
        segment = report.segments.get()
        segment.text = "Investors came second."
        segment.save()
        Report.objects.filter(pk=report.pk).update(title="Live report, corrected")
    return gate


def test_a_contributors_writes_to_a_live_report_are_held_and_rolled_back(live):
    contributor = make_user("contributor")
    revisions = Revision.objects.count()
    gate = correct_a_word(live, as_request(contributor))
    assert gate.held and gate.pending is not None
    assert "waits for an editor" in gate.message
    assert Segment.objects.get(report=live).text == "Investors came first."
    assert Report.objects.public().get().title == "Live report"
    assert Revision.objects.count() == revisions
    change = PendingChange.objects.get()
    assert (change.report, change.author, change.comment) == (live, contributor, "Fix a word")
    held = [entry["serialized_data"] for entry in change.data]
    assert any("Investors came second." in data for data in held)
    assert any("Live report, corrected" in data for data in held)
    assert not any("Investors came second." in e["serialized_data"] for e in change.base)


def test_an_editors_writes_go_live_in_one_revision_with_user_and_comment(live):
    editor = make_user("editor")
    gate = correct_a_word(live, as_request(editor))
    assert not gate.held and gate.pending is None
    assert Report.objects.public().get().title == "Live report, corrected"
    revision = Revision.objects.get()
    assert (revision.user, revision.comment) == (editor, "Fix a word")
    # The whole report is in it, though the title was written by QuerySet.update.
    models = sorted(v.content_type.model for v in Version.objects.filter(revision=revision))
    assert models == ["quote", "report", "segment"]
    assert not PendingChange.objects.exists()


def test_an_editor_may_hold_their_own_change(live):
    gate = correct_a_word(live, as_request(make_user("editor")), hold=True)
    assert gate.pending is not None
    assert Report.objects.get().title == "Live report"


def test_a_contributors_writes_to_a_draft_go_live_as_before():
    draft = make_report("Draft", status=Report.Status.DRAFT)
    make_segment(draft, text="Investors came first.")
    gate = correct_a_word(draft, as_request(make_user("contributor")))
    assert gate.pending is None
    assert Report.objects.get().title == "Live report, corrected"


def test_a_held_block_that_changes_nothing_keeps_no_pending_change(live):
    with review_gate(as_request(make_user("contributor")), live) as gate:
        live.save()  # bookkeeping only: updated_at
    assert gate.held and gate.pending is None
    assert "Nothing was changed" in gate.message
    assert not PendingChange.objects.exists()


def test_a_newer_change_by_the_same_author_replaces_the_older(live):
    contributor = make_user("contributor")
    correct_a_word(live, as_request(contributor))
    with review_gate(as_request(contributor), live, comment="Retitle") as gate:
        Report.objects.filter(pk=live.pk).update(title="Another title")
    change = PendingChange.objects.get()
    assert change == gate.pending and change.comment == "Retitle"
