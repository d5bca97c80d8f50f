"""The public site: visibility on every surface, escaping, pagination, query counts."""

import re
from datetime import timedelta
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive.models import Report, Segment
from archive.sitemaps import PAGE_SIZE

from .factories import (
    make_correction,
    make_organization,
    make_programme,
    make_quote,
    make_report,
    make_segment,
    make_speaker,
    make_topic,
)

pytestmark = pytest.mark.django_db

MARKER = "zanzibarhidden"
HIDDEN_STATES = {
    "draft": {"status": Report.Status.DRAFT},
    "review": {"status": Report.Status.REVIEW},
    "scheduled": {
        "status": Report.Status.PUBLISHED,
        "published_at": timezone.now() + timedelta(days=3),
    },
    "withdrawn": {
        "status": Report.Status.WITHDRAWN,
        "published_at": timezone.now() - timedelta(days=3),
    },
}


def make_full_report(label, **report_fields):
    """A report with every public surface filled: outlet, correspondent, topic, quote."""
    outlet = make_organization(f"{label} Outlet")
    correspondent = make_speaker(f"{label} Correspondent")
    speaker = make_speaker(f"{label} Speaker")
    topic = make_topic(f"{label} Topic")
    report = make_report(
        f"{label} report title",
        outlet=outlet,
        correspondent=correspondent,
        dateline=f"{label} City",
        duration=timedelta(minutes=3, seconds=28),
        **report_fields,
    )
    report.topics.add(topic)
    make_segment(
        report,
        kind=Segment.Kind.INTRO,
        text=f"Studio intro about {label} affairs.",
        start_seconds=0,
    )
    bite = make_segment(
        report,
        kind=Segment.Kind.SOUNDBITE,
        speaker=speaker,
        speaker_title=f"{label} MINISTER",
        text=f"We said {label} words on air today.",
        start_seconds=6.5,
        end_seconds=9,
    )
    quote = make_quote(bite, text=f"{label} words on air", featured=True)
    return report, quote


@pytest.fixture
def archive_with_hidden():
    """One public report and one hidden report per non-public state, all with the marker."""
    public, public_quote = make_full_report("Visible")
    hidden = {}
    for state, fields in HIDDEN_STATES.items():
        hidden[state] = make_full_report(f"{MARKER}{state}", **fields)
    return public, public_quote, hidden


def sitemap_page(obj):
    return (obj.pk - 1) // PAGE_SIZE + 1


def public_urls(public, quote):
    """Every public URL, the lists and the public report's own pages."""
    urls = [
        reverse("archive:home"),
        reverse("archive:report_list"),
        reverse("archive:report_list") + f"?speaker={MARKER}draft-speaker",
        reverse("archive:speaker_list"),
        reverse("archive:quote_list"),
        # Also the hidden speakers' names: "zanzibarhiddendraft Speaker".
        reverse("archive:search") + f"?q={MARKER}draft",
        reverse("archive:search") + f"?q={MARKER}*",
        reverse("archive:search") + "?q=words",
        reverse("archive:report_feed"),
        # The sitemap page that holds the public report's id.
        reverse("archive:sitemap_section", args=["reports"]) + f"?p={sitemap_page(public)}",
        public.get_absolute_url(),
        public.correspondent.get_absolute_url(),
        quote.speaker.get_absolute_url(),
        public.topics.get().get_absolute_url(),
        quote.get_absolute_url(),
        reverse("archive:report_captions", kwargs={"slug": public.slug}),
        reverse("archive:topic_list"),
        reverse("archive:quote_feed"),
        reverse("archive:speaker_feed", args=[quote.speaker.slug]),
        reverse("archive:topic_feed", args=[public.topics.get().slug]),
        reverse("archive:quote_list") + f"?speaker={MARKER}draft-speaker",
        reverse("archive:quote_list") + f"?speaker={quote.speaker.slug}",
        reverse("archive:search") + "?q=visible&kind=soundbite&sort=date",
    ]
    for fmt in ("txt", "json", "bib", "ris"):
        urls.append(reverse("archive:report_cite", kwargs={"slug": public.slug, "fmt": fmt}))
        urls.append(reverse("archive:quote_cite", kwargs={"pk": quote.pk, "fmt": fmt}))
    return urls


SURFACES = [
    "home",
    "report list",
    "report list filtered by a hidden speaker",
    "speaker list",
    "quote list",
    "search for the marker",
    "search for the marker as a prefix",
    "search for a shared word",
    "feed",
    "sitemap of reports",
    "public report",
    "public correspondent",
    "public speaker",
    "public topic",
    "public quote",
    "public report's captions",
    "topic list",
    "quote feed",
    "speaker feed",
    "topic feed",
    "quote list filtered by a hidden speaker",
    "quote list filtered by a public speaker",
    "search for sound bites by date",
    *[f"{kind} citation {fmt}" for fmt in ("txt", "json", "bib", "ris") for kind in "rq"],
]


@pytest.mark.parametrize("surface", range(len(SURFACES)), ids=SURFACES)
def test_no_hidden_content_on_any_public_surface(client, archive_with_hidden, surface):
    public, quote, hidden = archive_with_hidden
    url = public_urls(public, quote)[surface]
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode().lower()
    # The page shows public content (a filter on a hidden speaker rightly shows none).
    assert "visible" in body or "=zanzibar" in url, url
    # The reader's own query is echoed back (search box, filter, paging links): not a leak.
    for echoed in parse_qs(urlsplit(url).query).values():
        body = body.replace(echoed[0].lower(), "").replace(quote_plus(echoed[0]).lower(), "")
    assert MARKER not in body, url


@pytest.mark.parametrize("state", list(HIDDEN_STATES))
def test_hidden_content_has_no_page_of_its_own(client, archive_with_hidden, state):
    _, _, hidden = archive_with_hidden
    report, quote = hidden[state]
    # A withdrawn report is gone with its quotes, segments, captions and citations.
    report_status = 410 if state == "withdrawn" else 404
    expected = {
        report.get_absolute_url(): report_status,
        reverse("archive:report_cite", kwargs={"slug": report.slug, "fmt": "bib"}): report_status,
        reverse("archive:report_captions", kwargs={"slug": report.slug}): report_status,
        reverse("archive:segment_detail", kwargs={"slug": report.slug, "position": 2}): (
            report_status
        ),
        quote.get_absolute_url(): report_status,
        reverse("archive:quote_cite", kwargs={"pk": quote.pk, "fmt": "ris"}): report_status,
        reverse("archive:quote_cite", kwargs={"pk": quote.pk, "fmt": "json"}): report_status,
        quote.speaker.get_absolute_url(): 404,
        report.correspondent.get_absolute_url(): 404,
        report.topics.get().get_absolute_url(): 404,
        reverse("archive:speaker_feed", args=[quote.speaker.slug]): 404,
        reverse("archive:topic_feed", args=[report.topics.get().slug]): 404,
    }
    for url, status in expected.items():
        response = client.get(url)
        assert response.status_code == status, url
        if status == 410:
            assert "withdrawn" in response.text
        else:
            assert MARKER not in response.content.decode().lower(), url


def test_publishing_and_withdrawing_show_on_the_next_request(client):
    report = make_report("Embargoed scoop", status=Report.Status.DRAFT)
    list_url = reverse("archive:report_list")
    assert "Embargoed scoop" not in client.get(list_url).text
    report.status = Report.Status.PUBLISHED
    report.published_at = timezone.now() - timedelta(minutes=1)
    report.save()
    assert "Embargoed scoop" in client.get(list_url).text
    report.status = Report.Status.WITHDRAWN
    report.save()
    assert "Embargoed scoop" not in client.get(list_url).text
    assert client.get(report.get_absolute_url()).status_code == 410


HOSTILE = "<script>alert(1)</script>"


def test_hostile_text_renders_as_text_everywhere(client):
    outlet = make_organization(f"Outlet {HOSTILE}")
    speaker = make_speaker(f"Speaker {HOSTILE}", role=HOSTILE)
    topic = make_topic(f"Topic {HOSTILE}")
    report = make_report(
        f"Title {HOSTILE}",
        outlet=outlet,
        correspondent=speaker,
        dateline=HOSTILE,
        programme=make_programme(f"Programme {HOSTILE}", outlet=outlet),
        media_url=f"https://media.example/report.mp3?{HOSTILE}",
        source_url=f"https://source.example/?{HOSTILE}",
    )
    make_correction(report, what_was_wrong=HOSTILE, what_changed=HOSTILE)
    report.topics.add(topic)
    segment = make_segment(
        report,
        kind=Segment.Kind.SOUNDBITE,
        speaker=speaker,
        speaker_title=HOSTILE,
        text=f"He typed {HOSTILE} into the hostile form.",
        start_seconds=12.5,
    )
    quote = make_quote(segment, text=f"{HOSTILE} into the hostile")
    urls = [
        reverse("archive:home"),
        reverse("archive:report_list"),
        report.get_absolute_url(),
        reverse("archive:speaker_list"),
        speaker.get_absolute_url(),
        reverse("archive:quote_list"),
        quote.get_absolute_url(),
        topic.get_absolute_url(),
        reverse("archive:search") + "?q=hostile",
        reverse("archive:search") + "?q=" + HOSTILE,
        reverse("archive:report_list") + f"?topic={topic.slug}",
        reverse("archive:report_feed"),
        reverse("archive:sitemap"),
        reverse("archive:report_captions", kwargs={"slug": report.slug}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "<script>" not in body, url
    search_page = client.get(reverse("archive:search") + "?q=hostile").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in search_page
    assert "<mark>hostile</mark>" in search_page


def test_withdrawn_page_escapes_its_notice(client):
    report = make_report("Gone", status=Report.Status.WITHDRAWN, withdrawal_reason=HOSTILE)
    response = client.get(report.get_absolute_url())
    assert response.status_code == 410
    assert "<script>" not in response.text


@pytest.mark.parametrize("page", ["0", "-1", "9999", "abc", "", "1.5", "last"])
@pytest.mark.parametrize("name", ["report_list", "speaker_list", "quote_list", "search"])
def test_pagination_edges_give_a_normal_page(client, name, page):
    for n in range(3):
        report = make_report(f"Paged report {n}")
        make_quote(make_segment(report, kind="soundbite", speaker=make_speaker()))
    url = reverse(name and f"archive:{name}") + f"?q=paged&page={page}"
    response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    ["topic=nope", "outlet=%3Cb%3E", "speaker=" + "x" * 5000, "year=abc", "year=-1", "year=99999"],
)
def test_invalid_filters_give_a_normal_page(client, query):
    make_report("Filtered report")
    assert client.get(reverse("archive:report_list") + "?" + query).status_code == 200
    assert client.get(reverse("archive:search") + "?q=filtered&" + query).status_code == 200


def test_report_list_filters(client):
    topic, outlet, speaker = make_topic("Energy"), make_organization("Channel"), make_speaker()
    on_topic = make_report("On topic", published_at=timezone.now() - timedelta(days=400))
    on_topic.topics.add(topic)
    by_outlet = make_report("By outlet", outlet=outlet)
    with_speaker = make_report("With speaker")
    make_segment(with_speaker, speaker=speaker)
    url = reverse("archive:report_list")

    def titles(query):
        return [r.title for r in client.get(f"{url}?{query}").context["reports"]]

    assert titles(f"topic={topic.slug}") == ["On topic"]
    assert titles(f"outlet={outlet.slug}") == ["By outlet"]
    assert titles(f"speaker={speaker.slug}") == ["With speaker"]
    assert titles(f"year={on_topic.published_at.year}") == ["On topic"] or (
        on_topic.published_at.year == by_outlet.published_at.year
    )
    assert titles("") == ["With speaker", "By outlet", "On topic"]


def test_report_detail_shows_the_transcript_as_broadcast(client):
    report, quote = make_full_report("Detail")
    make_correction(report, what_was_wrong="We misspelled a name.")
    make_segment(report, kind=Segment.Kind.STANDUP, text="Standing in the square.")
    html = client.get(report.get_absolute_url()).text
    assert "3:28" in html
    assert "Detail City" in html and "Detail Correspondent" in html and "Detail Topic" in html
    assert "We misspelled a name." in html
    assert "Detail MINISTER" in html
    assert f'<mark class="quote" data-quote="{quote.pk}">Detail words on air</mark>' in html
    assert html.count('class="bite"') == 2  # the sound bite and the stand-up
    assert html.count("<h1") == 1
    assert f'<link rel="canonical" href="http://testserver{report.get_absolute_url()}">' in html
    assert 'property="og:title" content="Detail report title"' in html


def test_home_falls_back_to_recent_quotes_when_none_is_featured(client):
    quote = make_quote(featured=False)
    html = client.get(reverse("archive:home")).text
    assert "Recent quotes" in html and quote.text in html
    quote.featured = True
    quote.save()
    assert "Featured quotes" in client.get(reverse("archive:home")).text


def test_home_shows_featured_quotes_newest_first_then_recent_ones(client):
    def quote(label, days_ago, featured):
        report = make_report(label, published_at=timezone.now() - timedelta(days=days_ago))
        segment = make_segment(report, text=f"{label} said this", speaker=make_speaker())
        return make_quote(segment, featured=featured)

    quote("Old featured", 30, True)
    quote("New featured", 20, True)
    quote("Newest plain", 1, False)
    quote("Older plain", 10, False)
    for days in range(40, 45):
        quote(f"Ancient plain {days}", days, False)
    response = client.get(reverse("archive:home"))
    shown = [q.segment.report.title for q in response.context["quotes"]]
    expected = ["New featured", "Old featured", "Newest plain", "Older plain", "Ancient plain 40"]
    assert shown == expected


def test_speaker_page_shows_the_title_held_at_each_appearance(client):
    speaker = make_speaker("Ana Example", role="Prime Minister")
    old = make_report("Old report", published_at=timezone.now() - timedelta(days=900))
    make_segment(old, speaker=speaker, speaker_title="DEPUTY MINISTER", kind="soundbite")
    new = make_report("New report")
    make_segment(new, speaker=speaker, speaker_title="PRIME MINISTER", kind="soundbite")
    html = client.get(speaker.get_absolute_url()).text
    assert html.index("New report") < html.index("Old report")
    assert "as DEPUTY MINISTER" in html and "as PRIME MINISTER" in html


def test_unknown_page_is_a_helpful_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.text and 'action="/search/"' in response.text


def _populate(n):
    """n public reports, each with an outlet, correspondent, topic, segments and a quote."""
    first = None
    for i in range(n):
        report, quote = make_full_report(f"Bulk{i}")
        first = first or (report, quote)
    return first


QUERY_PAGES = {
    # name: (url builder, pinned queries) on the uncached path: these tests run
    # inside a transaction, where the page cache stands aside (test_caching.py
    # pins the cached path: one query).
    # Latest reports, featured quotes, recent quotes, topics.
    "home": (lambda r, q: reverse("archive:home"), 4),
    "report list": (lambda r, q: reverse("archive:report_list"), 5),
    "report list filtered": (
        lambda r, q: reverse("archive:report_list") + f"?year={r.published_at.year}&topic=",
        5,
    ),
    # The report, its topics, corrections and segments (with their quotes).
    "report list by air dates": (
        lambda r, q: reverse("archive:report_list") + "?from=2000-01-01&to=2999-12-31",
        5,
    ),
    "report detail": (lambda r, q: r.get_absolute_url(), 5),
    "speaker list": (lambda r, q: reverse("archive:speaker_list"), 2),
    "speaker detail": (lambda r, q: q.speaker.get_absolute_url(), 5),  # and titles over time
    "quote list": (lambda r, q: reverse("archive:quote_list"), 5),
    "quote detail": (lambda r, q: q.get_absolute_url(), 2),  # the quote, its corrections
    "topic": (lambda r, q: r.topics.get().get_absolute_url(), 3),
    "search": (lambda r, q: reverse("archive:search") + "?q=words", 7),
    "feed": (lambda r, q: reverse("archive:report_feed"), 1),
    "quote feed": (lambda r, q: reverse("archive:quote_feed"), 1),
    "speaker feed": (lambda r, q: reverse("archive:speaker_feed", args=[q.speaker.slug]), 2),
    "topic feed": (lambda r, q: reverse("archive:topic_feed", args=[r.topics.get().slug]), 2),
    "topic list": (lambda r, q: reverse("archive:topic_list"), 1),
    # The quote list's page, its count, and the filter form's three option lists.
    "quote list filtered": (
        lambda r, q: reverse("archive:quote_list") + f"?speaker={q.speaker.slug}&outlet=",
        6,
    ),
    # The index: one probe per paged section (reports, quotes, speakers, topics).
    "sitemap": (lambda r, q: reverse("archive:sitemap"), 4),
    # The last id (page range), then the page.
    "sitemap page": (lambda r, q: reverse("archive:sitemap_section", args=["reports"]), 2),
    "report citation": (lambda r, q: f"{r.get_absolute_url()}cite.bib", 2),
    "quote citation": (lambda r, q: f"{q.get_absolute_url()}cite.ris", 2),
    "captions": (lambda r, q: f"{r.get_absolute_url()}captions.vtt", 2),
}


@pytest.mark.parametrize("rows", [1, 25])
@pytest.mark.parametrize("page", list(QUERY_PAGES))
def test_query_count_does_not_grow_with_the_data(client, django_assert_num_queries, page, rows):
    report, quote = _populate(rows)
    url_for, expected = QUERY_PAGES[page]
    url = url_for(report, quote)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_static_stylesheet_is_our_own_and_local(client):
    html = client.get(reverse("archive:home")).text
    assert 'href="/static/archive/site.css"' in html
    assert "https://" not in html.split("</head>")[0]
    with CaptureQueriesContext(connection):
        pass


def test_no_hidden_content_in_the_linked_data_of_public_pages(client, archive_with_hidden):
    public, quote, _ = archive_with_hidden
    pages = [public.get_absolute_url(), quote.get_absolute_url(), quote.speaker.get_absolute_url()]
    pages.append(public.correspondent.get_absolute_url())
    for url in pages:
        html = client.get(url).content.decode()
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        meta = re.findall(r'<meta name="(?:citation_|DC\.)[^"]*" content="([^"]*)"', html)
        assert blocks and meta, url
        assert "visible" in blocks[0].lower(), url
        assert MARKER not in (blocks[0] + " ".join(meta)).lower(), url
