"""Changes to live reports wait for an editor: the review gate, publishing and discarding."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from reversion.models import Revision, Version

from archive.models import PendingChange, Quote, Report, Segment
from archive.pending import review_gate
from archive.pending.review import differences, discard, publish
from tests.desk import make_user
from tests.factories import (
    make_correction,
    make_quote,
    make_report,
    make_segment,
    make_speaker,
    make_topic,
)

pytestmark = pytest.mark.django_db


def someone(role, name):
    user = make_user(role)
    user.username = name
    user.save()
    return user


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


def test_a_snapshot_holds_what_reversion_records_of_the_report(live):
    import reversion

    from archive.pending.snapshots import snapshot

    live.topics.add(make_topic("Technology"))
    make_correction(live)
    with reversion.create_revision():
        reversion.add_to_revision(live)
    recorded = {
        (f"archive.{v.content_type.model}", v.object_id, v.serialized_data)
        for v in Version.objects.all()
    }
    entries = snapshot(live.pk)
    assert {(e["model"], e["object_id"], e["serialized_data"]) for e in entries} == recorded


# Publishing and discarding.


def held_change(report, user=None):
    return correct_a_word(report, as_request(user or make_user("contributor"))).pending


def test_an_editor_publishes_a_pending_change_in_one_revision(live):
    change = held_change(live)
    editor = make_user("editor")
    publish(change, user=editor)
    assert Report.objects.public().get().title == "Live report, corrected"
    assert Segment.objects.get().text == "Investors came second."
    assert not PendingChange.objects.exists()
    revision = Revision.objects.get()
    assert revision.user == editor and "pending change by contributor" in revision.comment
    assert "Fix a word" in revision.comment


def test_a_contributor_may_not_publish_a_pending_change(live):
    change = held_change(live)
    with pytest.raises(PermissionDenied):
        publish(change, user=change.author)
    assert Report.objects.get().title == "Live report"
    assert PendingChange.objects.exists()


def test_a_pending_change_made_before_a_newer_live_change_is_refused(live):
    change = held_change(live)
    Segment.objects.filter(report=live).update(text="Investors came first, said the editor.")
    with pytest.raises(ValidationError, match="live report changed after contributor"):
        publish(change, user=make_user("editor"))
    assert Segment.objects.get().text == "Investors came first, said the editor."
    assert Report.objects.get().title == "Live report"
    assert PendingChange.objects.get() == change


def test_publishing_is_refused_when_a_segment_needs_review(live):
    contributor = make_user("contributor")
    with review_gate(as_request(contributor), live) as gate:
        make_segment(live, text="Someone unsure.", needs_review=True)
    with pytest.raises(ValidationError, match="confirm the speaker"):
        publish(gate.pending, user=make_user("editor"))
    assert live.segments.count() == 1


def test_segments_and_quotes_added_in_a_pending_change_get_ids_of_their_own(live):
    contributor, speaker = make_user("contributor"), make_speaker()
    with review_gate(as_request(contributor), live) as gate:
        added = make_segment(live, text="A new sound bite here.", speaker=speaker)
        make_quote(added, text="new sound bite")
    held_id = added.pk
    # Another report takes the ids the rolled-back rows had (SQLite reuses them).
    other = make_report("Other")
    squatter = make_segment(other, text="Not to be overwritten.")
    publish(gate.pending, user=make_user("editor"))
    assert Segment.objects.get(pk=squatter.pk).text == "Not to be overwritten."
    texts = list(live.segments.order_by("position").values_list("text", flat=True))
    assert texts == ["Investors came first.", "A new sound bite here."]
    quote = Quote.objects.get(text="new sound bite")
    assert quote.segment == live.segments.get(position=2) and quote.matches_source
    assert squatter.pk == held_id or connection.vendor != "sqlite"


def test_a_change_naming_a_speaker_deleted_since_is_refused_in_words(live):
    speaker = make_speaker("Gone Soon")
    with review_gate(as_request(make_user("contributor")), live) as gate:
        make_segment(live, text="Words of someone gone.", speaker=speaker)
    speaker.delete()
    with pytest.raises(ValidationError, match="names 1 speaker deleted"):
        publish(gate.pending, user=make_user("editor"))
    assert live.segments.count() == 1


def test_removing_a_segment_in_a_pending_change_takes_it_away_when_published(live):
    make_segment(live, text="A second segment.")
    with review_gate(as_request(make_user("contributor")), live) as gate:
        live.segments.get(position=2).delete()
    assert live.segments.count() == 2
    publish(gate.pending, user=make_user("editor"))
    assert list(live.segments.values_list("text", flat=True)) == ["Investors came first."]


def test_the_author_or_an_editor_discards_a_pending_change_nobody_else(live):
    other = someone("contributor", "other")
    change = held_change(live)
    with pytest.raises(PermissionDenied):
        discard(change, user=other)
    discard(change, user=change.author)
    assert not PendingChange.objects.exists()
    discard(held_change(live, change.author), user=make_user("editor"))
    assert not PendingChange.objects.exists()
    assert Report.objects.get().title == "Live report"


def test_the_differences_are_field_by_field_and_word_by_word_escaped(live):
    contributor = make_user("contributor")
    with review_gate(as_request(contributor), live) as gate:
        Segment.objects.filter(report=live).update(text="Investors <b>came</b> second.")
    found = differences(gate.pending)
    assert [(d.record.split(":")[0], d.field) for d in found] == [("Segment", "text")]
    assert found[0].words == (
        "Investors <del>came first.</del> <ins>&lt;b&gt;came&lt;/b&gt; second.</ins>"
    )
