"""The small things an editor hits every day at the desk (issue 12, item 6)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from reversion.models import Version

from archive.models import Organization, Programme, Quote, Report, Segment, Speaker, Topic
from tests.desk import client_for, form_data, make_user
from tests.factories import make_quote, make_report, make_segment, make_speaker

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/archive/report/"


@pytest.fixture
def editor(client):
    return client_for(client, make_user("editor"))


# --- "+" popups fill the slug by themselves ---------------------------------------------


@pytest.mark.parametrize("model", [Speaker, Organization, Topic, Programme])
def test_a_plus_popup_creates_a_record_from_its_name_alone(editor, model):
    url = f"/admin/archive/{model._meta.model_name}/add/?_to_field=id&_popup=1"
    data = {**form_data(editor.get(url)), "name": "Ана Ñúñez O'Brien", "slug": "", "_popup": "1"}
    response = editor.post(url, data)
    assert response.status_code == 200, response.context["errors"]
    assert "popup_response" in response.text  # the popup hands the new record to the report
    created = model.objects.get(name="Ана Ñúñez O'Brien")
    assert created.slug == slugify("Ана Ñúñez O'Brien", allow_unicode=True)
    again = editor.post(url, {**data, "name": "Ана Ñúñez O’Brien"})
    assert again.status_code == 200
    assert model.objects.get(name="Ана Ñúñez O’Brien").slug == f"{created.slug}-2"


def test_a_slug_typed_in_is_kept(editor):
    url = "/admin/archive/topic/add/"
    editor.post(url, {**form_data(editor.get(url)), "name": "Economy", "slug": "the-economy"})
    assert Topic.objects.get(name="Economy").slug == "the-economy"


# --- scheduled reports on the changelist ------------------------------------------------


def test_the_changelist_labels_scheduled_reports_and_filters_them(editor):
    at = timezone.now() + timedelta(days=3)
    scheduled = make_report("Goes live later", published_at=at)
    make_report("Live now")
    make_report("A draft", status="draft")
    page = editor.get(CHANGELIST).text
    when = date_format(timezone.localtime(at), "j M Y, H:i")
    assert f"Scheduled for {when}" in page
    assert page.count("Scheduled for ") == 2  # the one report, and the filter's choice

    filtered = editor.get(CHANGELIST, {"publication": "scheduled"})
    assert [r.pk for r in filtered.context["cl"].result_list] == [scheduled.pk]
    assert "Scheduled for later" in page  # the filter's choice


# --- bulk publish: what goes live, what may not -----------------------------------------


def ask_to_publish(client, reports, **extra):
    data = {"action": "publish_now", "_selected_action": [r.pk for r in reports], **extra}
    return client.post(CHANGELIST, data, follow=True)


@pytest.fixture
def selection():
    ready = make_report("Ready to go", status="draft")
    unsure = make_report("Unsure speaker", status="draft")
    make_segment(unsure, kind="soundbite", speaker=make_speaker("Halverson"), needs_review=True)
    flagged = make_report("Flagged quote", status="draft")
    quote = make_quote(make_segment(flagged, kind="soundbite", speaker=make_speaker("Kaem")))
    Quote.objects.filter(pk=quote.pk).update(matches_source=False)  # as an edit leaves it
    return ready, unsure, flagged


def test_bulk_publish_first_shows_what_will_go_live_and_what_is_held_back(editor, selection):
    ready, unsure, flagged = selection
    response = ask_to_publish(editor, selection)
    assert response.templates[0].name == "admin/archive/report/publish_form.html"
    assert [r.pk for r in response.context["ready"]] == [ready.pk]
    held = dict((report.pk, " ".join(reasons)) for report, reasons in response.context["held"])
    assert set(held) == {unsure.pk, flagged.pk}
    assert "confirm the speaker" in held[unsure.pk]
    assert "1 quote of “Flagged quote” no longer matches its segment" in held[flagged.pk]
    assert "Publish 1 report(s) now" in response.text
    assert Report.objects.filter(status="published").count() == 0  # nothing yet


def test_confirming_publishes_the_ready_reports_and_names_those_refused(editor, selection):
    ready, unsure, flagged = selection
    response = ask_to_publish(editor, selection, apply="1")
    statuses = dict(Report.objects.values_list("pk", "status"))
    assert statuses == {ready.pk: "published", unsure.pk: "draft", flagged.pk: "draft"}
    messages = [str(m) for m in response.context["messages"]]
    assert "Published: 1 report(s)." in messages
    (refusal,) = [m for m in messages if m.startswith("Not published:")]
    assert "Unsure speaker" in refusal and "Flagged quote" in refusal


def test_a_flagged_quote_holds_back_publishing_from_the_form_too(editor, selection):
    _ready, _unsure, flagged = selection
    url = f"{CHANGELIST}{flagged.pk}/change/"
    response = editor.post(url, {**form_data(editor.get(url)), "status": "published"})
    assert response.status_code == 200
    assert "no longer match" in str(response.context["errors"])
    flagged.refresh_from_db()
    assert flagged.status == "draft"


def test_the_confirmation_page_escapes_titles(editor):
    report = make_report("<script>alert(1)</script>", status="draft")
    response = ask_to_publish(editor, [report])
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


@pytest.mark.parametrize("count", [2, 40])
def test_the_confirmation_page_costs_the_same_queries_for_few_and_many_reports(
    editor, django_assert_num_queries, count
):
    reports = [make_report(f"Report {n}", status="draft") for n in range(count)]
    for report in reports[::2]:
        make_segment(report, needs_review=True)
    ask_to_publish(editor, reports)  # warm the content types and the session
    data = {"action": "publish_now", "_selected_action": [r.pk for r in reports]}
    # the changelist's own (session, user, permissions, filters, count) then the page's:
    # the held-back reasons, the count, the ready reports, the held ones
    with django_assert_num_queries(15):
        response = editor.post(CHANGELIST, data)
    assert len(response.context["held"]) == count // 2


# --- "Back to draft": the same from the form and the bulk action ------------------------


def back_to_draft_by_form(client, report):
    url = f"{CHANGELIST}{report.pk}/change/"
    return client.post(url, {**form_data(client.get(url)), "status": "draft"}, follow=True)


def back_to_draft_by_action(client, report):
    data = {"action": "back_to_draft", "_selected_action": [report.pk]}
    return client.post(CHANGELIST, data, follow=True)


@pytest.mark.parametrize("start", ["published", "withdrawn"])
def test_back_to_draft_is_the_same_move_from_the_form_and_the_bulk_action(editor, start):
    outcomes = []
    for route in (back_to_draft_by_form, back_to_draft_by_action):
        report = make_report(
            status=start, withdrawal_reason="Wrong footage." * (start != "published")
        )
        make_segment(report)
        response = route(editor, report)
        report.refresh_from_db()
        messages = [str(m) for m in response.context["messages"]]
        outcomes.append(
            {
                "status": report.status,
                "withdrawal_reason": report.withdrawal_reason,
                "was public": report.first_public_at is not None,
                "public": Report.objects.public().filter(pk=report.pk).exists(),
                "gone": Report.objects.gone().filter(pk=report.pk).exists(),
                "said": "Back to draft: 1 report(s)." in messages,
                "revisions": Version.objects.get_for_object(report).count(),
            }
        )
    by_form, by_action = outcomes
    assert by_form == by_action
    assert by_form["status"] == "draft" and by_form["withdrawal_reason"] == ""
    assert by_form["said"] and by_form["revisions"] == 1


# --- the quote changelist ----------------------------------------------------------------


def bulk_quotes(count):
    reports = Report.objects.bulk_create(
        Report(title=f"Report {n}", slug=f"report-{n}", source_text="Source. " * 10_000)
        for n in range(count)
    )
    speakers = Speaker.objects.bulk_create(
        Speaker(name=f"Speaker {n}", slug=f"speaker-{n}") for n in range(count)
    )
    segments = Segment.objects.bulk_create(
        Segment(report=report, position=1, text="Said on air.", speaker=speaker)
        for report, speaker in zip(reports, speakers, strict=True)
    )
    Quote.objects.bulk_create(
        Quote(segment=segment, speaker=segment.speaker, text="Said") for segment in segments
    )


@pytest.mark.parametrize("rows", [10, 1000])
def test_the_quote_changelist_costs_the_same_queries_for_10_and_1000_quotes(
    admin_client, django_assert_num_queries, rows
):
    bulk_quotes(rows)
    admin_client.get("/admin/archive/quote/")  # warm the content-type cache
    # session, user, savepoint, two counts, the page of quotes, release
    with django_assert_num_queries(7):
        response = admin_client.get("/admin/archive/quote/")
    shown = response.context["cl"].result_list
    assert len(shown) == min(rows, 100)
    assert "source_text" in shown[0].segment.report.get_deferred_fields()
    assert "Speaker " in response.text and "Report " in response.text
