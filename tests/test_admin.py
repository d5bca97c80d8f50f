import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_every_archive_model_is_registered_in_the_admin():
    from archive.models import TRANSIENT_MODELS

    for model in apps.get_app_config("archive").get_models():
        assert admin.site.is_registered(model) or model in TRANSIENT_MODELS, model


def test_admin_change_form_opens_for_the_seed_report(admin_client, seed_report):
    response = admin_client.get(f"/admin/archive/report/{seed_report.pk}/change/")
    assert response.status_code == 200
    assert seed_report.title in response.text


def test_ensure_admin_creates_one_administrator_with_a_random_password(capsys):
    from django.contrib.auth import get_user_model

    call_command("ensure_admin")
    first = capsys.readouterr().out
    password = first.rsplit("password: ", 1)[1].split()[0]
    user = get_user_model().objects.get()
    assert user.is_superuser and user.check_password(password)

    call_command("ensure_admin")
    assert "password" not in capsys.readouterr().out
    assert get_user_model().objects.count() == 1


# --- The editorial desk -------------------------------------------------------

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from archive import curation  # noqa: E402
from archive.admin.pagination import CappedCountPaginator  # noqa: E402
from archive.models import Quote, Report, Segment, Speaker  # noqa: E402
from tests.desk import client_for, form_data, make_user  # noqa: E402
from tests.factories import (  # noqa: E402
    make_organization,
    make_quote,
    make_report,
    make_segment,
    make_speaker,
    make_topic,
)


def bulk_reports(count):
    outlet, correspondent = make_organization(), make_speaker()
    reports = Report.objects.bulk_create(
        Report(title=f"Report {n}", slug=f"report-{n}", outlet=outlet, correspondent=correspondent)
        for n in range(count)
    )
    segments = Segment.objects.bulk_create(
        Segment(report=report, position=1, text="Said on air.", speaker=correspondent)
        for report in reports
    )
    Quote.objects.bulk_create(
        Quote(segment=s, speaker=correspondent, text="Said") for s in segments
    )


@pytest.mark.parametrize("rows", [10, 1000])
def test_report_changelist_costs_the_same_queries_for_10_and_1000_reports(
    admin_client, django_assert_num_queries, rows
):
    bulk_reports(rows)
    admin_client.get("/admin/archive/report/")  # warm the content-type cache
    with django_assert_num_queries(8):
        response = admin_client.get("/admin/archive/report/")
    first = response.context["cl"].result_list[0]
    assert (first.segment_count, first.quote_count) == (1, 1)


def test_the_paginator_stops_counting_at_its_cap():
    bulk_reports(8)
    paginator = CappedCountPaginator(Report.objects.all(), 2)
    paginator.cap = 5
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 5
    assert "LIMIT" in queries[0]["sql"].upper()
    paginator = CappedCountPaginator(Report.objects.all(), 2)
    assert paginator.count == 8


def test_search_finds_reports_by_segment_text_and_speaker(admin_client):
    wanted = make_report("Wanted")
    make_segment(wanted, text="A unique phrase about chess.", speaker=make_speaker("Arkady D"))
    make_report("Other")
    for term in ["unique phrase", "Arkady"]:
        found = admin_client.get("/admin/archive/report/", {"q": term}).context["cl"].result_list
        assert [r.title for r in found] == ["Wanted"]


def test_filter_finds_reports_with_quotes_that_no_longer_match(admin_client):
    stale = make_quote(text="Words spoken").segment.report
    make_quote(text="Words spoken")
    Segment.objects.filter(report=stale).update(text="Something else entirely.")
    Segment.objects.get(report=stale).recheck_quotes()
    found = admin_client.get("/admin/archive/report/", {"quotes": "mismatched"}).context["cl"]
    assert list(found.result_list) == [stale]


def test_segments_are_reordered_by_sort_numbers_and_renumbered(admin_client):
    report = make_report()
    a, b, c = (make_segment(report, text=t) for t in ["A.", "B.", "C."])
    url = f"/admin/archive/report/{report.pk}/change/"
    data = form_data(admin_client.get(url))
    data.update({"segments-0-order": "30", "segments-1-order": "5", "segments-2-order": "10"})
    assert admin_client.post(url, data).status_code == 302
    assert list(report.segments.values_list("text", "position")) == [
        ("B.", 1),
        ("C.", 2),
        ("A.", 3),
    ]


def test_a_quote_is_trimmed_on_the_report_page_and_refused_if_not_in_its_segment(admin_client):
    quote = make_quote(text="Words spoken on air.")
    report = quote.segment.report
    url = f"/admin/archive/report/{report.pk}/change/"
    data = form_data(admin_client.get(url))
    assert admin_client.post(url, {**data, "quotes-0-text": "spoken on air"}).status_code == 302
    data = form_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "quotes-0-text": "never said"})
    assert response.status_code == 200
    quote.refresh_from_db()
    assert quote.text == "spoken on air"


def test_quote_this_opens_the_quote_form_filled_from_the_segment(admin_client):
    segment = make_segment(text="Quotable words.", speaker=make_speaker("Ann"))
    listing = admin_client.get("/admin/archive/segment/").text
    assert "Quote this" in listing
    response = admin_client.get(
        "/admin/archive/quote/add/",
        {"segment": segment.pk, "speaker": segment.speaker_id, "text": segment.text},
    )
    form = response.context["adminform"].form
    assert form.initial["text"] == "Quotable words."
    assert str(form.initial["segment"]) == str(segment.pk)


def test_quote_page_shows_its_source_segment_escaped(admin_client):
    quote = make_quote(
        segment=make_segment(text="<script>x</script> Words", speaker=make_speaker())
    )
    page = admin_client.get(f"/admin/archive/quote/{quote.pk}/change/").text
    assert "&lt;script&gt;x&lt;/script&gt; Words" in page and "<script>x</script>" not in page


def test_merging_speakers_keeps_every_segment_quote_and_filed_report(client):
    keep, duplicate = make_speaker("Kiril Kaem"), make_speaker("Kiril Kaem (dup)")
    segments = [make_segment(speaker=keep), make_segment(speaker=duplicate)]
    quotes = [make_quote(segment=s) for s in segments]
    filed = make_report(correspondent=duplicate)
    editor = client_for(client, make_user("editor"))
    data = {"action": "merge_speakers", "_selected_action": [keep.pk, duplicate.pk]}
    confirm = editor.post("/admin/archive/speaker/", data)
    assert confirm.context["default"] == keep or confirm.context["default"] == duplicate
    editor.post("/admin/archive/speaker/", {**data, "apply": "1", "keep": keep.pk})
    assert list(Speaker.objects.all()) == [keep]
    assert Segment.objects.filter(speaker=keep).count() == len(segments)
    assert Quote.objects.filter(speaker=keep).count() == len(quotes)
    filed.refresh_from_db()
    assert filed.correspondent == keep


def test_merge_preselects_the_speaker_heard_most():
    busy, rare = make_speaker("Busy"), make_speaker("Rare")
    make_segment(speaker=busy), make_segment(speaker=busy), make_segment(speaker=rare)
    assert curation.most_heard([rare, busy]) == busy


def test_contributors_cannot_merge_speakers(client):
    one, two = make_speaker(), make_speaker()
    contributor = client_for(client, make_user("contributor"))
    data = {"action": "merge_speakers", "_selected_action": [one.pk, two.pk], "apply": "1"}
    contributor.post("/admin/archive/speaker/", {**data, "keep": one.pk})
    assert Speaker.objects.count() == 2


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 404), ("reader", 404), ("contributor", 200), ("editor", 200)],
)
def test_only_staff_who_may_change_a_report_can_preview_it(client, role, status):
    report = make_report("Secret draft", status="draft")
    if role == "reader":
        user = make_user("contributor")
        user.is_staff = False
        user.save()
    else:
        user = make_user(role)
    response = client_for(client, user).get(f"/admin/archive/report/{report.pk}/preview/")
    assert response.status_code == status
    if status == 200:
        assert "Secret draft" in response.text and "Preview" in response.text
        assert "no-store" in response["Cache-Control"]
        assert response["X-Robots-Tag"].startswith("noindex")
        assert '<meta name="robots" content="noindex' in response.text
    assert Client().get(report.get_absolute_url()).status_code == 404


def test_change_form_links_to_the_preview(admin_client):
    report = make_report(status="draft")
    page = admin_client.get(f"/admin/archive/report/{report.pk}/change/").text
    assert f"/admin/archive/report/{report.pk}/preview/" in page


def test_outlet_filter_offers_outlets_not_every_organization(admin_client, seed_report):
    response = admin_client.get("/admin/archive/report/")
    outlet_choices = [
        choice["display"]
        for spec in response.context["cl"].filter_specs
        if getattr(spec, "field_path", None) == "outlet"
        for choice in spec.choices(response.context["cl"])
    ]
    assert "CGTN" in outlet_choices
    assert "Motorica" not in outlet_choices


def test_a_second_quote_of_the_same_words_on_a_segment_is_refused_on_the_report_page(
    admin_client,
):
    quote = make_quote(text="Words spoken on air.")
    url = f"/admin/archive/report/{quote.segment.report.pk}/change/"
    data = form_data(admin_client.get(url))
    new = {
        "quotes-TOTAL_FORMS": "3",
        **{
            f"quotes-{n}-{name}": value
            for n in (1, 2)
            for name, value in [
                ("segment", str(quote.segment_id)),
                ("speaker", str(quote.speaker_id)),
                ("text", "spoken on air"),
            ]
        },
    }

    one_new = {**data, **new, "quotes-TOTAL_FORMS": "2"}

    twice = admin_client.post(url, {**data, **new})
    like_the_first = admin_client.post(url, {**one_new, "quotes-1-text": "Words spoken on air."})
    once = admin_client.post(url, one_new)

    for response in (twice, like_the_first):
        assert response.status_code == 200
        assert "This segment already has a quote with this text." in response.text
    assert once.status_code == 302
    assert sorted(Quote.objects.values_list("text", flat=True)) == [
        "Words spoken on air.",
        "spoken on air",
    ]


def test_the_quote_form_refuses_a_quote_its_segment_already_has(admin_client):
    quote = make_quote(text="Words spoken on air.")
    fields = {"segment": quote.segment_id, "speaker": quote.speaker_id, "text": quote.text}

    response = admin_client.post("/admin/archive/quote/add/", fields)

    assert response.status_code == 200
    assert "This segment already has a quote with this text." in response.text
    assert Quote.objects.count() == 1


def test_the_outlet_filter_offers_the_outlets_of_any_report_only(admin_client):
    aired = make_organization("Aired")
    draft_outlet = make_organization("Draft outlet")
    make_organization("Not an outlet")
    make_report(outlet=aired)
    make_report(outlet=draft_outlet, status=Report.Status.DRAFT)
    changelist = admin_client.get("/admin/archive/report/").context["cl"]
    outlet_filter = next(f for f in changelist.filter_specs if f.title == "outlet")
    assert [name for _, name in outlet_filter.lookup_choices] == ["Aired", "Draft outlet"]
    found = admin_client.get("/admin/archive/report/", {"outlet__id__exact": aired.pk})
    assert [report.outlet for report in found.context["cl"].result_list] == [aired]


def test_search_matches_titles_and_correspondents_and_takes_any_text(admin_client):
    make_report("Floods in the delta", correspondent=make_speaker("Lena Berg"))
    make_report("Other news")
    for term in ["floods", "Berg", '"the delta"', "Floods Lena"]:
        found = admin_client.get("/admin/archive/report/", {"q": term}).context["cl"].result_list
        assert [r.title for r in found] == ["Floods in the delta"], term
    for hostile in ['"', "NOT AND (", "*", "a' OR 1=1 --", "<script>"]:
        response = admin_client.get("/admin/archive/report/", {"q": hostile})
        assert response.status_code == 200, hostile
        assert list(response.context["cl"].result_list) == [], hostile


def test_the_topic_filter_lists_every_topic_and_finds_its_reports_once(admin_client):
    tagged, other = make_report("Tagged"), make_report("Untagged")
    topic = make_topic("Elections")
    tagged.topics.add(topic, make_topic("Courts"))
    changelist = admin_client.get("/admin/archive/report/", {"topic": topic.pk}).context["cl"]
    assert [report.title for report in changelist.result_list] == ["Tagged"]
    topic_filter = next(f for f in changelist.filter_specs if f.title == "topic")
    assert [name for _, name in topic_filter.lookup_choices] == ["Courts", "Elections"]
    assert other not in changelist.result_list
    everything = admin_client.get("/admin/archive/report/", {"topic": "x"}).context["cl"]
    assert len(everything.result_list) == 2  # an invalid value is ignored
