"""Working together on a report (issue 14, item 4): presence; a refused save keeps its changes."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from archive.admin.together import conflicts, presence
from archive.models import EditingPresence, Report
from tests.desk import client_for, form_data, make_user
from tests.factories import make_quote, make_report, make_segment, make_speaker

pytestmark = pytest.mark.django_db


def change_url(report):
    return reverse("admin:archive_report_change", args=[report.pk])


def heartbeat_url(report):
    return reverse("admin:archive_report_presence", args=[report.pk])


def person(role, first, last, username=None):
    user = make_user(role)
    user.username = username or first.lower()
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def report():
    report = make_report(status="draft", title="Skolkovo opens")
    speaker = make_speaker("Kiril Kaem")
    first = make_segment(report, text="In the first place, investors came.", speaker=speaker)
    make_segment(report, text="The centre opened in spring.")
    make_quote(first, text="investors came")
    return report


@pytest.fixture
def alice():
    return client_for(Client(), person("editor", "Alice", "Adams"))


@pytest.fixture
def bob():
    return client_for(Client(), person("contributor", "Bob", "Brown"))


def others(client, report):
    response = client.post(heartbeat_url(report))
    assert response.status_code == 200
    return [other["name"] for other in response.json()["others"]]


def banner(response):
    """The presence line of a change form, as text (empty when it is hidden)."""
    match = re.search(r'<p class="presence-others"( hidden)?>(.*?)</p>', response.text, re.S)
    assert match, "the change form has no presence line"
    return "" if match.group(1) else " ".join(re.sub(r"<[^>]+>", "", match.group(2)).split())


# --- Presence -------------------------------------------------------------------------


def test_a_second_session_sees_who_has_the_report_open_and_since_when(alice, bob, report):
    opened = alice.get(change_url(report))
    assert banner(opened) == ""  # alone on the page

    seen = bob.get(change_url(report))
    since = timezone.localtime(EditingPresence.objects.get(user__username="alice").since)
    assert banner(seen).startswith(f"Also open by: Alice Adams (since {since:%-d %b, %H:%M})")
    assert others(alice, report) == ["Bob Brown"]
    assert others(bob, report) == ["Alice Adams"]


def test_the_heartbeat_keeps_since_and_refreshes_seen_at(alice, report):
    alice.get(change_url(report))
    row = EditingPresence.objects.get()
    EditingPresence.objects.update(since=row.since - timedelta(minutes=5),
                                   seen_at=row.seen_at - timedelta(seconds=30))  # fmt: skip
    others(alice, report)
    after = EditingPresence.objects.get()
    assert after.since == row.since - timedelta(minutes=5)
    assert after.seen_at > row.seen_at


def test_stale_presence_disappears_and_is_swept_away(alice, bob, report):
    alice.get(change_url(report))
    EditingPresence.objects.update(
        seen_at=timezone.now() - presence.STALE_AFTER - timedelta(seconds=1)
    )
    assert banner(bob.get(change_url(report))) == ""
    assert list(EditingPresence.objects.values_list("user__username", flat=True)) == ["bob"]

    # Back after a while away (a laptop asleep): the beat says so, and the page rejoins
    # for a new stay, with a new "since".
    old_since = timezone.now() - timedelta(hours=1)
    EditingPresence.objects.update(since=old_since, seen_at=old_since)
    assert bob.post(heartbeat_url(report)).json() == {"present": False, "others": []}
    assert not EditingPresence.objects.exists()
    assert bob.post(heartbeat_url(report), {"rejoin": "1"}).json()["present"]
    assert EditingPresence.objects.get().since > old_since


def test_leaving_the_page_removes_the_presence_at_once(alice, bob, report):
    alice.get(change_url(report))
    left = alice.post(heartbeat_url(report), {"leaving": "1"})
    assert left.json() == {"present": False, "others": []}
    assert others(bob, report) == []
    # A beat sent just before she left, arriving after: it does not bring her back.
    assert not alice.post(heartbeat_url(report)).json()["present"]
    assert others(bob, report) == []


def test_presence_is_per_report(alice, bob, report):
    alice.get(change_url(make_report(status="draft")))
    assert others(bob, report) == []


def test_the_heartbeat_costs_a_fixed_number_of_queries(
    alice, bob, report, django_assert_num_queries
):
    for n in range(3):
        carol = person("editor", "Carol", f"No. {n}", username=f"carol{n}")
        client_for(Client(), carol).get(change_url(report))
    bob.get(change_url(report))
    # Session, user, report, permissions (user's, groups'), sweep, upsert, the others (one join).
    with django_assert_num_queries(8):
        names = others(bob, report)
    assert len(names) == 3


def test_hostile_names_are_escaped_on_the_page_and_carried_as_text_in_json(bob, report):
    hostile = person("editor", "<script>alert(1)</script>", "&amp;", username="mallory")
    client_for(Client(), hostile).get(change_url(report))
    page = bob.get(change_url(report))
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp;" in page.text
    answer = bob.post(heartbeat_url(report))
    assert answer["Content-Type"] == "application/json"
    assert json.loads(answer.content)["others"][0]["name"] == "<script>alert(1)</script> &amp;"


def test_the_heartbeat_is_a_csrf_protected_post(report):
    user = person("editor", "Alice", "Adams")
    strict = client_for(Client(enforce_csrf_checks=True), user)
    assert strict.post(heartbeat_url(report)).status_code == 403
    assert strict.get(heartbeat_url(report)).status_code == 405
    assert not EditingPresence.objects.exists()


def test_an_unknown_report_has_no_heartbeat(alice):
    response = alice.post(reverse("admin:archive_report_presence", args=[999999]))
    assert response.status_code == 404


def test_presence_does_not_reach_the_public(alice, client, report):
    report.status = Report.Status.PUBLISHED
    report.published_at = timezone.now() - timedelta(hours=1)
    report.save()
    alice.get(change_url(report))
    for url in [report.get_absolute_url(), "/reports/", f"/api/v1/reports/{report.slug}/"]:
        response = client.get(url)
        assert "Alice" not in response.content.decode(), url
    draft = make_report(status="draft", title="Secret draft")
    alice.get(change_url(draft))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(heartbeat_url(draft)).status_code == 302  # to the login page


# --- A refused save keeps its changes ---------------------------------------------------


def refused(alice, bob, report, alice_changes, bob_changes):
    """Both open the report; Alice saves first, then Bob's save is refused. Bob's response.

    The report was saved at the desk once before, so a revision holds the state
    they both opened (a report only ever imported has none: see the last test).
    """
    assert (
        alice.post(change_url(report), form_data(alice.get(change_url(report)))).status_code == 302
    )
    alice_form = form_data(alice.get(change_url(report)))
    bob_form = form_data(bob.get(change_url(report)))
    assert alice.post(change_url(report), {**alice_form, **alice_changes}).status_code == 302
    response = bob.post(change_url(report), {**bob_form, **bob_changes})
    assert response.status_code == 200
    return response


def test_a_refused_save_comes_back_with_its_changes_and_theirs_beside(alice, bob, report):
    response = refused(
        alice, bob, report,
        {"segments-0-text": "In the first place, investors came from China.", "dateline": "Moscow"},
        {"title": "Skolkovo opens its doors", "segments-1-text": "The centre opened in May.",
         "dateline": "Skolkovo"},
    )  # fmt: skip
    form = response.context["adminform"].form
    assert "Alice Adams saved this report at" in str(form.non_field_errors())
    assert "still in the form" in str(form.non_field_errors())
    # Bob's refused changes are in the form, nothing to retype...
    assert 'value="Skolkovo opens its doors"' in response.text
    assert re.search(r"<textarea[^>]*>\s*The centre opened in May.</textarea>", response.text)
    # ...and Alice's beside them, word by word for texts.
    panel = response.text.split('id="refused-save"')[1].split("</section>")[0]
    assert "Alice Adams saved this report after you opened it" in panel
    assert "In the first place, investors came<ins> from China</ins>." in panel
    changes = {(c.record.split(" (")[0], c.field): c for c in response.context["conflict"].changes}
    assert set(changes) == {("Skolkovo opens", "dateline"), ("Segment 1", "text")}
    assert changes[("Skolkovo opens", "dateline")].yours == "Skolkovo"
    assert changes[("Skolkovo opens", "dateline")].clash  # both changed it
    assert not changes[("Segment 1", "text")].clash  # only Alice did
    # Nothing of Bob's was written.
    report.refresh_from_db()
    assert report.title == "Skolkovo opens" and report.dateline == "Moscow"
    assert report.segments.get(position=2).text == "The centre opened in spring."


def test_saving_a_refused_form_again_saves_it_over_the_new_version(alice, bob, report):
    response = refused(alice, bob, report, {"dateline": "Moscow"},
                       {"title": "Skolkovo opens its doors", "dateline": "Skolkovo"})  # fmt: skip
    again = bob.post(change_url(report), form_data(response))
    assert again.status_code == 302
    report.refresh_from_db()
    assert (report.title, report.dateline) == ("Skolkovo opens its doors", "Skolkovo")


def test_a_third_save_in_between_is_refused_again(alice, bob, report):
    response = refused(alice, bob, report, {"dateline": "Moscow"}, {"dateline": "Skolkovo"})
    alice_again = form_data(alice.get(change_url(report)))
    assert alice.post(change_url(report), {**alice_again, "dateline": "Kazan"}).status_code == 302
    again = bob.post(change_url(report), form_data(response))
    assert again.status_code == 200
    changes = {c.field: c for c in again.context["conflict"].changes}
    assert (changes["dateline"].before, changes["dateline"].theirs) == ("Moscow", "Kazan")
    report.refresh_from_db()
    assert report.dateline == "Kazan"


def test_without_a_recorded_opened_version_the_panel_shows_how_the_saved_one_differs(bob, report):
    bob_form = form_data(bob.get(change_url(report)))
    Report.objects.filter(pk=report.pk).update(title="Renamed by an import",
                                               updated_at=timezone.now())  # fmt: skip
    response = bob.post(change_url(report), {**bob_form, "dateline": "Skolkovo"})
    conflict = response.context["conflict"]
    assert not conflict.base_known
    assert conflict.saved_by == "Someone (an import?)"
    rows = {(c.field, c.before, c.theirs) for c in conflict.changes}
    # Bob's own change shows too: without the opened version, no one can tell whose it is.
    assert rows == {
        ("title", "Skolkovo opens", "Renamed by an import"),
        ("dateline", "Skolkovo", "—"),
    }
    assert "where the saved version differs from yours" in response.text


def test_hostile_text_in_the_panel_is_escaped(alice, bob, report):
    response = refused(alice, bob, report, {"dateline": "<img src=x onerror=alert(1)>"}, {})
    panel = response.text.split('id="refused-save"')[1].split("</section>")[0]
    assert "<img" not in panel and "&lt;img src=x onerror=alert(1)&gt;" in panel


def test_word_changes_marks_only_the_words_that_changed():
    pieces = conflicts.word_changes("The centre opened in spring.", "The centre opened in May.")
    assert pieces == [("same", "The centre opened in "), ("removed", "spring"), ("added", "May"),
                      ("same", ".")]  # fmt: skip
    assert conflicts.word_changes("same words", "same words") == [("same", "same words")]
