"""The JSON API: visibility on every endpoint, filters, cursors, query counts, HTTP, errors."""

from datetime import UTC, timedelta
from email.utils import format_datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from archive.models import Report, Segment

from .factories import make_quote, make_report, make_segment, make_speaker, make_topic
from .test_public import HIDDEN_STATES, MARKER, _populate, make_full_report

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def archive_with_hidden():
    public, quote = make_full_report("Visible")
    hidden = {
        state: make_full_report(f"{MARKER}{state}", **f) for state, f in HIDDEN_STATES.items()
    }
    return public, quote, hidden


def api_urls(public, quote):
    speaker = quote.speaker
    return {
        "root": f"{API}/",
        "reports": f"{API}/reports/",
        "reports by hidden speaker": f"{API}/reports/?speaker={MARKER}draft-speaker",
        "report": f"{API}/reports/{public.slug}/",
        "segments": f"{API}/segments/",
        "segments of a kind": f"{API}/segments/?kind=soundbite",
        "segment": f"{API}/segments/{quote.segment_id}/",
        "speakers": f"{API}/speakers/",
        "speaker": f"{API}/speakers/{speaker.slug}/",
        "correspondent": f"{API}/speakers/{public.correspondent.slug}/",
        "organizations": f"{API}/organizations/",
        "organization": f"{API}/organizations/{public.outlet.slug}/",
        "topics": f"{API}/topics/",
        "topic": f"{API}/topics/{public.topics.get().slug}/",
        "quotes": f"{API}/quotes/",
        "quote": f"{API}/quotes/{quote.pk}/",
        "search for a shared word": f"{API}/search/?q=words",
        "search for the marker as a prefix": f"{API}/search/?q={MARKER}*",
        "search for a hidden speaker": f"{API}/search/?q={MARKER}draft%20speaker",
        "openapi": f"{API}/openapi.json",
    }


# Endpoints that answer with public content (the others may rightly be empty).
SHOWS_PUBLIC_CONTENT = {"reports", "report", "segments", "segments of a kind", "segment"}
SHOWS_PUBLIC_CONTENT |= {"speakers"}
SHOWS_PUBLIC_CONTENT |= {"speaker", "correspondent", "organizations", "organization", "topics"}
SHOWS_PUBLIC_CONTENT |= {"topic", "quotes", "quote", "search for a shared word"}
SURFACES = [
    "root",
    "reports",
    "reports by hidden speaker",
    "report",
    "segments",
    "segments of a kind",
    "segment",
    "speakers",
    "speaker",
    "correspondent",
    "organizations",
    "organization",
    "topics",
    "topic",
    "quotes",
    "quote",
    "search for a shared word",
    "search for the marker as a prefix",
    "search for a hidden speaker",
    "openapi",
]


@pytest.mark.parametrize("surface", SURFACES)
def test_no_hidden_content_on_any_endpoint(client, archive_with_hidden, surface):
    public, quote, _ = archive_with_hidden
    url = api_urls(public, quote)[surface]
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode().lower()
    if surface in SHOWS_PUBLIC_CONTENT:
        assert "visible" in body, url
    echoed = url.split("q=")[-1].replace("%20", " ").rstrip("*") if "q=" in url else ""
    body = body.replace(echoed.lower(), "") if echoed else body
    assert MARKER not in body, url


@pytest.mark.parametrize("state", list(HIDDEN_STATES))
def test_hidden_content_has_no_resource_of_its_own(client, archive_with_hidden, state):
    _, _, hidden = archive_with_hidden
    report, quote = hidden[state]
    segment = report.segments.first()
    for url in [
        f"{API}/reports/{report.slug}/",
        f"{API}/segments/{segment.pk}/",
        f"{API}/quotes/{quote.pk}/",
        f"{API}/speakers/{quote.speaker.slug}/",
        f"{API}/speakers/{report.correspondent.slug}/",
        f"{API}/organizations/{report.outlet.slug}/",
        f"{API}/topics/{report.topics.get().slug}/",
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/problem+json"
        assert MARKER not in response.content.decode().lower()


def test_report_detail_has_its_segments_in_order_with_their_times(client):
    report = make_report("Timed")
    speaker = make_speaker("Amara Oyelaran")
    make_segment(report, position=2, text="Second.", kind="soundbite", speaker=speaker)
    make_segment(report, position=1, text="First.", start_seconds=0.0, end_seconds=4.5)
    body = client.get(f"{API}/reports/{report.slug}/").json()
    assert [(s["position"], s["text"]) for s in body["segments"]] == [(1, "First."), (2, "Second.")]
    assert body["segments"][0]["start_seconds"] == 0.0
    assert body["segments"][0]["end_seconds"] == 4.5
    assert body["segments"][1]["speaker"] == {"slug": speaker.slug, "name": "Amara Oyelaran"}


def test_speaker_detail_lists_every_appearance_with_its_caption(client):
    speaker = make_speaker("Ana Example")
    old = make_report("Old", published_at=timezone.now() - timedelta(days=900))
    make_segment(old, speaker=speaker, speaker_title="DEPUTY MINISTER", kind="soundbite")
    new = make_report("New")
    make_segment(new, speaker=speaker, speaker_title="PRIME MINISTER", kind="soundbite")
    hidden = make_report("Draft", status=Report.Status.DRAFT)
    make_segment(hidden, speaker=speaker, speaker_title="SECRET TITLE", kind="soundbite")
    body = client.get(f"{API}/speakers/{speaker.slug}/").json()
    captions = [(a["report"], a["speaker_title"]) for a in body["appearances"]]
    assert captions == [(new.slug, "PRIME MINISTER"), (old.slug, "DEPUTY MINISTER")]
    assert body["appearances"][0]["url"].endswith(f"/reports/{new.slug}/#segment-1")


def test_lists_filter_by_speaker_kind_outlet_topic_and_dates(client):
    speaker = make_speaker("Filter Person")
    topic = make_topic("Energy")
    old = make_report("Old", published_at=timezone.now() - timedelta(days=400))
    old.topics.add(topic)
    make_quote(make_segment(old, kind="soundbite", speaker=speaker, text="Old words."))
    new = make_report("New")
    make_segment(new, kind="narration", speaker=speaker, text="New words.")
    day = timezone.localdate(old.published_at).isoformat()

    def slugs(path):
        return [row.get("slug") or row.get("report") for row in client.get(path).json()["results"]]

    assert slugs(f"{API}/reports/?topic={topic.slug}") == [old.slug]
    assert slugs(f"{API}/reports/?date_from={day}&date_to={day}") == [old.slug]
    assert slugs(f"{API}/reports/?date_from={timezone.localdate().isoformat()}") == [new.slug]
    assert slugs(f"{API}/segments/?speaker={speaker.slug}&kind=soundbite") == [old.slug]
    assert slugs(f"{API}/quotes/?speaker={speaker.slug}") == [old.slug]
    assert slugs(f"{API}/quotes/?speaker=nobody") == []


def test_cursor_pages_neither_repeat_nor_skip_when_reports_arrive(client):
    for n in range(5):
        make_report(f"Report {n}", published_at=timezone.now() - timedelta(hours=10 - n))
    first = client.get(f"{API}/reports/?page_size=2").json()
    make_report("Breaking", published_at=timezone.now() - timedelta(minutes=1))
    seen = [row["title"] for row in first["results"]]
    url = first["next"]
    while url:
        page = client.get(url).json()
        seen += [row["title"] for row in page["results"]]
        url = page["next"]
    assert seen == [f"Report {n}" for n in (4, 3, 2, 1, 0)]


def test_page_size_is_capped(client):
    for n in range(3):
        make_report(f"Report {n}")
    assert len(client.get(f"{API}/reports/?page_size=100000").json()["results"]) == 3
    from archive.api.views import MAX_PAGE_SIZE

    assert f"up to {MAX_PAGE_SIZE}" in client.get(f"{API}/openapi.json").text


def test_etag_and_last_modified_give_304s(client):
    report = make_report("Cached")
    url = f"{API}/reports/{report.slug}/"
    response = client.get(url)
    assert response["Access-Control-Allow-Origin"] == "*"
    etag, modified = response["ETag"], response["Last-Modified"]
    assert modified == format_datetime(report.updated_at.astimezone(UTC), usegmt=True)
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    report.title = "Changed"
    report.save()
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize(
    "path, status",
    [
        ("/reports/?year=abc", 400),
        ("/reports/?date_from=2020-13-01", 400),
        ("/segments/?kind=shouting", 400),
        ("/search/?q=", 400),
        ("/search/", 400),
        ("/reports/?cursor=not-a-cursor", 404),
        ("/reports/no-such-report/", 404),
        ("/quotes/999999/", 404),
        ("/no/such/endpoint/", 404),
        ("/reports/?format=xml", 404),
    ],
)
def test_errors_are_problem_details_never_html(client, path, status):
    response = client.get(API + path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert set(body) <= {"type", "title", "status", "detail", "errors"}


def test_writes_are_refused(client):
    report = make_report("Read only")
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"{API}/reports/{report.slug}/")
        assert response.status_code == 405, method
        assert response["Content-Type"] == "application/problem+json"
    assert Report.objects.get().title == "Read only"


def test_search_finds_a_person_and_their_passages(client):
    speaker = make_speaker("Amara Oyelaran")
    report = make_report("Budget day")
    make_segment(report, text="Intro words.")
    make_segment(report, kind="soundbite", speaker=speaker, text="We will spend more.")
    body = client.get(f"{API}/search/?q=oyelaran").json()
    assert [person["slug"] for person in body["people"]] == [speaker.slug]
    assert body["count"] == 1 and body["count_is_exact"]
    hit = body["results"][0]
    assert hit["passage_url"].endswith(f"/reports/{report.slug}/#segment-2")


def test_openapi_document_and_docs_page_use_only_local_assets(client):
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/reports/", "/api/v1/search/", "/api/v1/quotes/{id}/"} <= set(schema["paths"])
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    html = docs.text
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html and "<script>" not in html and "<style" not in html


API_QUERIES = {
    # endpoint: (url builder, pinned queries)
    "reports": (lambda r, q: f"{API}/reports/", 2),  # page, topics
    "reports filtered": (lambda r, q: f"{API}/reports/?speaker={q.speaker.slug}", 2),
    "report": (lambda r, q: f"{API}/reports/{r.slug}/", 3),  # report, topics, segments
    "segments": (lambda r, q: f"{API}/segments/?kind=soundbite", 1),
    "segment": (lambda r, q: f"{API}/segments/{r.segments.first().pk}/", 1),
    "speakers": (lambda r, q: f"{API}/speakers/", 1),
    "speaker": (lambda r, q: f"{API}/speakers/{q.speaker.slug}/", 2),  # speaker, appearances
    "organizations": (lambda r, q: f"{API}/organizations/", 1),
    "organization": (lambda r, q: f"{API}/organizations/{r.outlet.slug}/", 1),
    "topics": (lambda r, q: f"{API}/topics/", 1),
    "topic": (lambda r, q: f"{API}/topics/{r.topics.get().slug}/", 1),
    "quotes": (lambda r, q: f"{API}/quotes/?outlet={r.outlet.slug}", 1),
    "quote": (lambda r, q: f"{API}/quotes/{q.pk}/", 1),
    # people, ranked ids, reports, segments, topics of the reports
    "search": (lambda r, q: f"{API}/search/?q=words", 5),
}


@pytest.mark.parametrize("rows", [1, 25])
@pytest.mark.parametrize("endpoint", list(API_QUERIES))
def test_query_count_does_not_grow_with_the_data(client, django_assert_num_queries, endpoint, rows):
    report, quote = _populate(rows)
    url_for, expected = API_QUERIES[endpoint]
    url = url_for(report, quote)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_segments_list_orders_by_id_for_stable_cursors(client):
    report = make_report("Ordered")
    segments = [make_segment(report, text=f"Part {n}.") for n in range(3)]
    ids = [row["id"] for row in client.get(f"{API}/segments/").json()["results"]]
    assert ids == [segment.pk for segment in segments]
    assert Segment.objects.count() == 3
