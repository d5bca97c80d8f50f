"""Pending changes in the desk: every admin route holds a contributor's change to a live report."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from archive.models import PendingChange, Quote, Report, Segment
from archive.pending import review_gate
from tests.desk import client_for, form_data, make_user
from tests.factories import make_quote, make_report, make_segment, make_speaker

pytestmark = pytest.mark.django_db

TEXT = "Investors came first, then the startups."


@pytest.fixture
def live():
    report = make_report("Live report", slug="live-report")
    segment = make_segment(report, text=TEXT, speaker=make_speaker("Kiril Kaem"))
    make_quote(segment, text="Investors came first")
    return report


def change_url(report):
    return reverse("admin:archive_report_change", args=[report.pk])


def desk(client, role):
    return client_for(client, make_user(role))


def save_form(client, report, button="_save", **changes):
    url = change_url(report)
    data = {**form_data(client.get(url)), **changes, button: "Save"}
    return client.post(url, data)


def public_words(client):
    return client.get(reverse("archive:report_detail", kwargs={"slug": "live-report"})).text


def messages_of(response):
    return " ".join(m.message for m in response.wsgi_request._messages)


def test_a_contributors_save_of_a_live_report_waits_and_the_public_sees_the_live_one(client, live):
    before = {
        "page": public_words(client),
        "api": client.get("/api/v1/reports/live-report/").content,
        "feed": client.get(reverse("archive:report_feed")).content,
    }
    assert (
        "then the startups" in before["page"]
        and b"Live report" in before["api"]
        and b"Live" in before["feed"]
    )
    contributor = desk(client, "contributor")
    response = save_form(
        contributor,
        live,
        **{"title": "Live report, fixed", "segments-0-text": "Investors came second."},
    )
    assert response.status_code == 302 and response["Location"] == change_url(live)
    assert "waits for an editor's review" in messages_of(response)
    assert "changed successfully" not in messages_of(response)
    client.logout()
    assert public_words(client) == before["page"]
    assert client.get("/api/v1/reports/live-report/").content == before["api"]
    assert client.get(reverse("archive:report_feed")).content == before["feed"]
    change = PendingChange.objects.get()
    assert any("Investors came second." in e["serialized_data"] for e in change.data)
    assert Report.objects.get().title == "Live report"


def test_the_contributor_is_told_their_change_waits(client, live):
    contributor = desk(client, "contributor")
    save_form(contributor, live, **{"segments-0-text": "Investors came second."})
    page = contributor.get(change_url(live)).text
    assert "Your change" in page and "waits for review" in page
    assert "Save as pending change" not in page


def test_an_editor_sees_the_banner_the_differences_and_publishes(client, live):
    save_form(
        desk(client, "contributor"),
        live,
        **{"segments-0-text": "Investors came second, then the startups."},
    )
    client.logout()
    editor = desk(client, "editor")
    page = editor.get(change_url(live)).text
    assert "A pending change by contributor" in page and "waits for review" in page
    change = PendingChange.objects.get()
    review = reverse("admin:archive_report_pending", args=[live.pk, change.pk])
    assert review in page
    diff = editor.get(review).text
    assert "<del>first,</del> <ins>second,</ins>" in diff
    response = editor.post(review, {"answer": "publish"})
    assert response.status_code == 302 and "is live" in messages_of(response)
    client.logout()
    assert "Investors came second, then the startups." in public_words(client)
    assert not PendingChange.objects.exists()


def test_an_editor_may_save_as_pending_or_live(client, live):
    editor = desk(client, "editor")
    assert "Save as pending change" in editor.get(change_url(live)).text
    save_form(editor, live, button="_save_pending", title="Held by the editor")
    assert Report.objects.get().title == "Live report"
    assert PendingChange.objects.get().author.username == "editor"
    save_form(editor, live, title="Live at once")
    assert Report.objects.public().get().title == "Live at once"


def test_a_contributor_cannot_post_the_editors_hold_button_to_go_live(client, live):
    contributor = desk(client, "contributor")
    save_form(contributor, live, button="_save_pending", title="Crafted")
    assert Report.objects.get().title == "Live report"


def test_a_contributors_save_of_a_draft_is_saved_as_before(client):
    draft = make_report("Draft", status=Report.Status.DRAFT)
    save_form(desk(client, "contributor"), draft, title="Draft, retitled")
    assert Report.objects.get().title == "Draft, retitled"
    assert not PendingChange.objects.exists()


def test_the_stale_edit_refusal_still_works_on_a_live_report(client, live):
    contributor = desk(client, "contributor")
    url = change_url(live)
    data = form_data(contributor.get(url))
    Report.objects.filter(pk=live.pk).update(title="Saved by someone meanwhile")
    live.refresh_from_db()
    live.save()
    response = contributor.post(url, {**data, "title": "Mine"})
    assert response.status_code == 200 and "after you opened it" in response.text
    assert not PendingChange.objects.exists()


def test_a_segment_page_edit_of_a_live_report_waits(client, live):
    contributor = desk(client, "contributor")
    segment = live.segments.get()
    url = reverse("admin:archive_segment_change", args=[segment.pk])
    data = {**form_data(contributor.get(url)), "text": "Investors came second."}
    response = contributor.post(url, data)
    assert response.status_code == 302 and response["Location"] == change_url(live)
    assert Segment.objects.get().text == TEXT
    assert PendingChange.objects.filter(report=live).exists()


def test_adding_a_segment_to_a_live_report_on_its_page_waits(client, live):
    contributor = desk(client, "contributor")
    url = reverse("admin:archive_segment_add")
    data = {**form_data(contributor.get(url)), "report": live.pk, "position": 2,
            "kind": "narration", "text": "A new paragraph."}  # fmt: skip
    response = contributor.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert live.segments.count() == 1
    assert PendingChange.objects.filter(report=live).exists()


@pytest.mark.parametrize("direction", ["off the live report", "onto the live report"])
def test_a_contributor_cannot_move_a_segment_between_a_live_report_and_another(
    client, live, direction
):
    draft = make_report("Draft", status=Report.Status.DRAFT)
    segment = live.segments.get() if direction == "off the live report" else make_segment(draft)
    target = draft if direction == "off the live report" else live
    contributor = desk(client, "contributor")
    url = reverse("admin:archive_segment_change", args=[segment.pk])
    response = contributor.post(url, {**form_data(contributor.get(url)), "report": target.pk})
    assert "move a part between two reports" in messages_of(response)
    segment.refresh_from_db()
    assert segment.report != target
    assert not PendingChange.objects.exists()


def test_an_editor_moves_a_segment_at_once(client, live):
    draft = make_report("Draft", status=Report.Status.DRAFT)
    editor = desk(client, "editor")
    segment = live.segments.get()
    url = reverse("admin:archive_segment_change", args=[segment.pk])
    data = {**form_data(editor.get(url)), "report": draft.pk}
    assert editor.post(url, data).status_code == 302
    segment.refresh_from_db()
    assert segment.report == draft


def test_a_quote_page_edit_of_a_live_report_waits(client, live):
    contributor = desk(client, "contributor")
    quote = Quote.objects.get()
    url = reverse("admin:archive_quote_change", args=[quote.pk])
    data = {**form_data(contributor.get(url)), "text": "then the startups", "featured": "on"}
    assert contributor.post(url, data).status_code == 302
    assert Quote.objects.get().text == "Investors came first"
    assert PendingChange.objects.filter(report=live).exists()


def test_a_contributors_revert_of_a_live_report_waits(client, live):
    editor = desk(client, "editor")
    save_form(editor, live, title="First title")  # revision 1
    save_form(editor, live, title="Second title")  # revision 2, live
    client.logout()
    from reversion.models import Version

    oldest = Version.objects.get_for_object(live).order_by("pk").first()
    contributor = desk(client, "contributor")
    url = reverse("admin:archive_report_revision", args=[live.pk, oldest.pk])
    response = contributor.post(url, form_data(contributor.get(url)))
    assert response.status_code == 302 and "waits" in messages_of(response)
    assert Report.objects.public().get().title == "Second title"
    change = PendingChange.objects.get()
    assert any("First title" in e["serialized_data"] for e in change.data)


def test_the_changelist_flags_and_filters_reports_with_a_pending_change(
    client, live, django_assert_num_queries
):
    other = make_report("Nothing pending")
    save_form(desk(client, "contributor"), live, title="Pending title")
    client.logout()
    editor = desk(client, "superuser")  # as tests/test_admin.py counts it
    url = reverse("admin:archive_report_changelist")
    for n in range(20):
        make_report(f"Filler {n}")
    editor.get(url)
    with django_assert_num_queries(8):
        page = editor.get(url)
    assert "pending change" in page.text.lower()
    waiting = editor.get(url, {"pending": "yes"})
    assert [r.pk for r in waiting.context["cl"].result_list] == [live.pk]
    none = editor.get(url, {"pending": "no"})
    assert live.pk not in [r.pk for r in none.context["cl"].result_list]
    assert other.pk in [r.pk for r in none.context["cl"].result_list]


def test_the_review_page_escapes_hostile_text(client, live):
    save_form(
        desk(client, "contributor"), live, **{"segments-0-text": "<script>alert(1)</script> came"}
    )
    client.logout()
    change = PendingChange.objects.get()
    page = desk(client, "editor").get(
        reverse("admin:archive_report_pending", args=[live.pk, change.pk])
    )
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_a_stale_pending_change_is_refused_on_the_review_page_in_words(client, live):
    save_form(desk(client, "contributor"), live, title="Pending title")
    client.logout()
    Segment.objects.filter(report=live).update(text="Changed live meanwhile.")
    change = PendingChange.objects.get()
    editor = desk(client, "editor")
    review = reverse("admin:archive_report_pending", args=[live.pk, change.pk])
    assert "live report changed after this change was made" in editor.get(review).text
    response = editor.post(review, {"answer": "publish"})
    assert "Not done: The live report changed" in messages_of(response)
    assert Report.objects.get().title == "Live report"
    response = editor.post(review, {"answer": "discard"})
    assert not PendingChange.objects.exists()


def test_a_bogus_answer_on_the_review_page_is_a_message_not_a_500(client, live):
    save_form(desk(client, "contributor"), live, title="Pending title")
    client.logout()
    change = PendingChange.objects.get()
    review = reverse("admin:archive_report_pending", args=[live.pk, change.pk])
    response = desk(client, "editor").post(review, {"answer": "<b>x</b>"})
    assert response.status_code == 302 and "Choose Publish or Discard" in messages_of(response)
    assert PendingChange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_page_cache_keeps_the_live_page_until_the_change_is_published(
    client, django_assert_num_queries
):
    from tests.test_caching import served_from_cache

    report = make_report("Live report", slug="live-report")
    make_segment(report, text=TEXT)
    url = report.get_absolute_url()
    assert TEXT in served_from_cache(client, url, django_assert_num_queries).text
    contributor = desk(client, "contributor")
    save_form(contributor, report, **{"segments-0-text": "Investors came second."})
    client.logout()
    # The held save wrote nothing the public reads: still served from the cache.
    assert TEXT in served_from_cache(client, url, django_assert_num_queries).text
    change = PendingChange.objects.get()
    editor = desk(client, "editor")
    editor.post(
        reverse("admin:archive_report_pending", args=[report.pk, change.pk]), {"answer": "publish"}
    )
    client.logout()
    assert "Investors came second." in client.get(url).text


def test_the_list_of_pending_changes_links_each_to_its_review(
    client, live, django_assert_num_queries
):
    save_form(desk(client, "contributor"), live, title="Pending title")
    client.logout()
    editor = desk(client, "superuser")
    url = reverse("admin:archive_pendingchange_changelist")
    with django_assert_num_queries(5):
        page = editor.get(url)
    for n in range(10):  # more rows, same cost
        report = make_report(f"More {n}")
        with review_gate(SimpleNamespace(user=editor_n(n)), report, hold=True):
            Report.objects.filter(pk=report.pk).update(dateline="Elsewhere")
    assert PendingChange.objects.count() == 11
    with django_assert_num_queries(5):
        editor.get(url)
    change = PendingChange.objects.get(report=live)
    assert reverse("admin:archive_report_pending", args=[live.pk, change.pk]) in page.text


def editor_n(n):
    user = make_user("editor")
    user.username = f"editor-{n}"
    user.save()
    return user


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-1", "<b>", ""])
def test_a_malformed_id_is_no_report_to_the_gate_and_no_500_in_a_bulk_action(client, live, value):
    from archive.admin.pending import as_id

    assert as_id(value) is None
    contributor = desk(client, "contributor")
    data = {"action": "delete_selected", "_selected_action": [value]}
    changelist = reverse("admin:archive_segment_changelist")
    assert contributor.post(changelist, data).status_code in (200, 302)
    assert Segment.objects.get().report == live and not PendingChange.objects.exists()
