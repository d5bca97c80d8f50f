"""Provenance on the public site: air dates, orderings and filters, the media player and
#t= links, captions.vtt (read by webvtt-py), JSON-LD (read by PyLD) and citation meta tags."""

import json
import re
from datetime import UTC, date, datetime, timedelta
from datetime import timezone as dt_timezone
from html import unescape
from html.parser import HTMLParser

import pytest
import webvtt
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from pyld import jsonld

from archive.models import Report, Segment

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

EIGHT_EAST = dt_timezone(timedelta(hours=8))
SCHEMA = "https://schema.org/"


def aired_report(title="Skolkovo", *, aired_at=datetime(2018, 6, 7, 19, 30, tzinfo=EIGHT_EAST),
                 media_url="https://media.example/skolkovo.mp4", **fields):  # fmt: skip
    outlet = make_organization("CGTN")
    report = make_report(
        title,
        outlet=outlet,
        correspondent=make_speaker("Aljosa Milenkovic"),
        programme=make_programme("Global Business", outlet=outlet),
        aired_at=aired_at,
        media_url=media_url,
        duration=timedelta(minutes=3, seconds=28),
        **fields,
    )
    make_segment(report, kind=Segment.Kind.INTRO, text="The studio intro.", start_seconds=0)
    bite = make_segment(
        report,
        kind=Segment.Kind.SOUNDBITE,
        speaker=make_speaker("Kiril Kaem"),
        speaker_title="SENIOR VICE PRESIDENT",
        text="We are interested in <Chinese> investors & more.",
        start_seconds=102.5,
        end_seconds=110,
    )
    make_segment(report, text="Untimed narration.")
    quote = make_quote(bite, text="We are interested in <Chinese> investors")
    return report, quote


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- the report page ----------------------------------------------------------------


def test_the_report_page_says_when_and_on_what_it_aired_first(client):
    report, _ = aired_report(published_at=timezone.now() - timedelta(days=2))
    html = get(client, report.get_absolute_url())
    aired = html.index('<p class="aired">Aired <time datetime="2018-06-07T19:30+08:00">')
    assert "7 June 2018, 19:30 UTC+08:00</time> on CGTN, <cite>Global Business</cite>" in html
    assert aired < html.index("<dt>In the archive</dt>")


def test_a_date_only_broadcast_shows_no_time(client):
    report, _ = aired_report(aired_at=date(2018, 6, 7))
    html = get(client, report.get_absolute_url())
    assert '<time datetime="2018-06-07">7 June 2018</time> on CGTN' in html
    assert "UTC" not in html.split('<p class="aired">')[1].split("</p>")[0]


def test_a_report_without_provenance_shows_nothing_invented(client, seed_report):
    html = get(client, seed_report.get_absolute_url())
    assert 'class="aired"' not in html and "Programme" not in html
    assert "(air date unknown)" in html
    assert "<audio" not in html and "<video" not in html and 'class="timecode"' not in html
    assert "Recording" not in html and "Source</dt>" not in html


def test_the_corrections_log_is_shown_with_dates(client):
    report, _ = aired_report()
    make_correction(report, corrected_on=date(2025, 3, 3), what_was_wrong="The title was wrong.",
                    what_changed="Fixed it.")  # fmt: skip
    html = get(client, report.get_absolute_url())
    assert '<time datetime="2025-03-03">Corrected 3 March 2025</time>: The title was wrong.' in html
    assert "Fixed it." in html
    assert "Corrected 3 March 2025" in get(client, f"{report.get_absolute_url()}cite.txt")


# --- the recording ------------------------------------------------------------------


def test_a_video_file_plays_in_the_page_with_captions_and_time_links(client):
    report, _ = aired_report()
    html = get(client, report.get_absolute_url())
    assert '<video id="recording" class="recording" controls preload="metadata" ' in html
    assert 'src="https://media.example/skolkovo.mp4"' in html
    captions = reverse("archive:report_captions", kwargs={"slug": report.slug})
    assert f'<track kind="captions" src="{captions}" srclang="en-US"' in html
    links = re.findall(r'<a class="timecode" href="([^"]+)" data-start="([^"]+)"', html)
    assert links == [
        ("https://media.example/skolkovo.mp4#t=0", "0.0"),
        ("https://media.example/skolkovo.mp4#t=102.5", "102.5"),
    ]
    assert 'aria-label="Play from 1:42"' in html
    assert 'src="/static/archive/player.js"' in html


def test_an_audio_file_plays_in_an_audio_element(client):
    report, _ = aired_report(media_url="https://media.example/report.MP3")
    html = get(client, report.get_absolute_url())
    assert '<audio id="recording"' in html and "<video" not in html


@pytest.mark.parametrize(
    "media_url",
    ["https://www.example.org/watch?v=1", "http://elsewhere.example/report.mp4"],
    ids=["a page that plays it", "a plain-http file elsewhere"],
)
def test_a_recording_the_page_cannot_play_is_linked_with_times_shown(client, media_url):
    report, _ = aired_report(media_url=media_url)
    html = get(client, report.get_absolute_url())
    assert "<video" not in html and "<audio" not in html and "player.js" not in html
    assert f'<a href="{media_url}" rel="nofollow noopener">watch or listen</a>' in html
    assert '<span class="timecode"><time datetime="PT1M42.5S">1:42</time></span>' in html


def test_the_site_lets_the_page_load_media_from_itself_and_https_only(client):
    report, _ = aired_report()
    policy = client.get(report.get_absolute_url())["Content-Security-Policy"]
    assert "media-src 'self' https:" in policy


# --- captions.vtt -------------------------------------------------------------------


def test_captions_are_webvtt_with_voices_and_times(client):
    report, _ = aired_report()
    response = client.get(reverse("archive:report_captions", kwargs={"slug": report.slug}))
    assert response["Content-Type"] == "text/vtt; charset=utf-8"
    captions = webvtt.from_string(response.content.decode())
    # webvtt-py keeps the cue text's character references as written: unescape reads them.
    cues = [(c.identifier, c.start, c.end, c.voice, unescape(c.text)) for c in captions]
    assert cues == [
        ("segment-1", "00:00:00.000", "00:01:42.500", None, "The studio intro."),
        (
            "segment-2",
            "00:01:42.500",
            "00:01:50.000",
            "Kiril Kaem",
            "We are interested in <Chinese> investors & more.",
        ),
    ]


def test_hostile_speaker_names_cannot_break_out_of_their_voice_tag(client):
    report = make_report("Hostile captions", duration=timedelta(seconds=30))
    make_segment(report, speaker=make_speaker("Eve> --> 00:00:09.000"), text="a --> b <i>x</i>",
                 start_seconds=1)  # fmt: skip
    body = get(client, reverse("archive:report_captions", kwargs={"slug": report.slug}))
    (cue,) = webvtt.from_string(body)
    assert (cue.start, cue.end) == ("00:00:01.000", "00:00:30.000")
    assert unescape(cue.voice) == "Eve> --> 00:00:09.000"
    assert unescape(cue.text) == "a --> b <i>x</i>"


def test_captions_of_an_untimed_report_are_an_empty_valid_file(client, seed_report):
    body = get(client, reverse("archive:report_captions", kwargs={"slug": seed_report.slug}))
    assert len(webvtt.from_string(body)) == 0


# --- lists by air date --------------------------------------------------------------


@pytest.fixture
def three_broadcasts():
    now = timezone.now()
    topic = make_topic("Energy")
    old = make_report("Aired 2018, published last", aired_at=date(2018, 6, 7),
                      published_at=now - timedelta(hours=1))  # fmt: skip
    unknown = make_report("Air date unknown", published_at=datetime(2020, 5, 1, tzinfo=UTC))
    recent = make_report("Aired 2024", aired_at=datetime(2024, 1, 2, 23, 30),
                         published_at=now - timedelta(days=30))  # fmt: skip
    for report in (old, unknown, recent):
        report.topics.add(topic)
    return old, unknown, recent, topic


def titles(client, url):
    return re.findall(r'<h2><a href="/reports/[^"]+/">([^<]+)</a></h2>', get(client, url))


def test_lists_order_by_air_date_where_known(client, three_broadcasts):
    expected = ["Aired 2024", "Air date unknown", "Aired 2018, published last"]
    assert titles(client, reverse("archive:report_list")) == expected
    assert titles(client, reverse("archive:home")) == expected
    assert titles(client, three_broadcasts[3].get_absolute_url()) == expected


@pytest.mark.parametrize(
    "query, expected",
    [
        ("year=2018", ["Aired 2018, published last"]),
        ("year=2020", ["Air date unknown"]),
        ("year=2024", ["Aired 2024"]),
        ("from=2019-01-01", ["Aired 2024", "Air date unknown"]),
        ("to=2020-05-01", ["Air date unknown", "Aired 2018, published last"]),
        ("from=2018-06-07&to=2018-06-07", ["Aired 2018, published last"]),
        ("from=2018-06-08&year=2018", []),
        ("from=2018-02-30", ["Aired 2024", "Air date unknown", "Aired 2018, published last"]),
        ("to=yesterday", ["Aired 2024", "Air date unknown", "Aired 2018, published last"]),
    ],
)
def test_year_and_date_range_filter_by_air_date(client, three_broadcasts, query, expected):
    assert titles(client, reverse("archive:report_list") + "?" + query) == expected


def test_the_year_choices_span_the_air_dates(client, three_broadcasts):
    html = get(client, reverse("archive:report_list"))
    years = re.findall(r'<option value="(\d{4})"', html)
    assert years[0] == "2024" and years[-1] == "2018"


def test_the_programme_filter(client):
    report, _ = aired_report()
    make_report("Another show")
    assert titles(client, report.programme.get_absolute_url()) == ["Skolkovo"]


def test_the_air_date_order_is_served_by_its_index():
    if connection.vendor != "sqlite":
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL's planner picks by statistics")
    from archive.views import BY_AIR_DATE

    query = Report.objects.public().order_by(*BY_AIR_DATE)[:20].query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "report_aired_order_idx" in plan
    assert "TEMP B-TREE" not in plan  # no sort of its own: the index gives the order


def test_speaker_pages_list_appearances_by_air_date_with_the_title_then(client):
    speaker = make_speaker("Kiril Kaem")
    for title, aired, caption in [
        ("Earlier", date(2016, 1, 1), "VICE PRESIDENT"),
        ("Later", date(2019, 1, 1), "SENIOR VICE PRESIDENT"),
        ("Undated", None, "ADVISER"),
    ]:
        report = make_report(title, aired_at=aired)
        make_segment(report, kind="soundbite", speaker=speaker, speaker_title=caption)
    html = get(client, speaker.get_absolute_url())
    appearances = re.findall(r'#segment-1">([^<]+)</a>.*?as ([A-Z ]+)</span>', html, re.S)
    assert appearances == [
        ("Undated", "ADVISER"),
        ("Later", "SENIOR VICE PRESIDENT"),
        ("Earlier", "VICE PRESIDENT"),
    ]
    assert 'Aired <time datetime="2019-01-01">1 Jan 2019</time>' in html


# --- quotes -------------------------------------------------------------------------


def test_a_quote_page_and_its_citation_give_the_time_in_the_broadcast(client):
    _, quote = aired_report()
    html = get(client, quote.get_absolute_url())
    assert '<a class="timecode" href="https://media.example/skolkovo.mp4#t=102.5">1:42</a>' in html
    assert "<cite>Global Business</cite>, CGTN, aired" in html
    text = get(client, reverse("archive:quote_cite", kwargs={"pk": quote.pk, "fmt": "txt"}))
    assert "Global Business. CGTN, 7 June 2018, 19:30 UTC+08:00, at 1:42." in text
    assert "Recording: https://media.example/skolkovo.mp4#t=102.5" in text
    (item,) = json.loads(
        get(client, reverse("archive:quote_cite", kwargs={"pk": quote.pk, "fmt": "json"}))
    )
    assert item["author"] == [{"family": "Kaem", "given": "Kiril"}]
    assert (item["container-title"], item["publisher"], item["locator"]) == (
        "Global Business",
        "CGTN",
        "1:42",
    )
    assert item["issued"] == {"date-parts": [[2018, 6, 7]]}


def test_a_segment_link_goes_to_its_place_in_the_report(client):
    report, _ = aired_report()
    url = reverse("archive:segment_detail", kwargs={"slug": report.slug, "position": 2})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{report.get_absolute_url()}#segment-2"
    missing = reverse("archive:segment_detail", kwargs={"slug": report.slug, "position": 9})
    assert client.get(missing).status_code == 404


def test_a_withdrawn_reports_quote_citations_and_captions_are_gone_with_its_notice(client):
    report, quote = aired_report(status=Report.Status.WITHDRAWN,
                                 withdrawal_reason="The interview was misattributed.")  # fmt: skip
    for url in [
        quote.get_absolute_url(),
        reverse("archive:quote_cite", kwargs={"pk": quote.pk, "fmt": "bib"}),
        reverse("archive:report_captions", kwargs={"slug": report.slug}),
        reverse("archive:segment_detail", kwargs={"slug": report.slug, "position": 2}),
        reverse("archive:report_cite", kwargs={"slug": report.slug, "fmt": "ris"}),
    ]:
        response = client.get(url)
        assert response.status_code == 410, url
        assert "The interview was misattributed." in response.content.decode(), url


# --- JSON-LD and meta tags ----------------------------------------------------------


class HeadReader(HTMLParser):
    """The JSON-LD blocks and <meta name=...> tags of a page."""

    def __init__(self):
        super().__init__()
        self.blocks, self.meta, self._in_ld = [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.blocks.append("")
        elif tag == "meta" and "name" in attrs:
            self.meta.append((attrs["name"], attrs["content"]))

    def handle_endtag(self, tag):
        self._in_ld = False if tag == "script" else self._in_ld

    def handle_data(self, data):
        if self._in_ld:
            self.blocks[-1] += data


def local_schema_org(url, options=None):
    """schema.org's context, served locally: tests talk only to loopback."""
    assert url.rstrip("/") == "https://schema.org", url
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"@vocab": SCHEMA}},
    }


def linked_data(html):
    reader = HeadReader()
    reader.feed(html)
    (block,) = reader.blocks
    expanded = jsonld.expand(json.loads(block), {"documentLoader": local_schema_org})
    nodes = {}
    for node in expanded:
        for kind in node["@type"]:
            nodes[kind.removeprefix(SCHEMA)] = node
    return nodes, dict(reader.meta), reader.meta


def value(node, name):
    return node[SCHEMA + name][0].get("@value", node[SCHEMA + name][0].get("@id"))


def test_the_report_page_is_a_news_article_with_its_video_and_broadcast(client):
    report, _ = aired_report()
    nodes, meta, _ = linked_data(get(client, report.get_absolute_url()))
    assert set(nodes) == {"NewsArticle", "VideoObject"}
    article, video = nodes["NewsArticle"], nodes["VideoObject"]
    assert value(article, "headline") == "Skolkovo"
    broadcast = article[SCHEMA + "publication"][0]
    assert broadcast["@type"] == [SCHEMA + "BroadcastEvent"]
    assert value(broadcast, "startDate") == "2018-06-07T19:30+08:00"
    assert value(video, "uploadDate") == "2018-06-07T19:30+08:00"
    assert value(video, "contentUrl") == "https://media.example/skolkovo.mp4"
    assert value(video, "duration") == "PT3M28S"
    assert "We are interested in <Chinese> investors & more." in value(video, "transcript")
    assert meta["citation_publication_date"] == "2018/06/07"
    assert (meta["DC.date"], meta["DC.type"]) == ("2018-06-07", "MovingImage")
    assert (meta["citation_title"], meta["citation_author"]) == ("Skolkovo", "Aljosa Milenkovic")
    assert (meta["citation_publisher"], meta["citation_series_title"]) == (
        "CGTN",
        "Global Business",
    )


def test_a_timed_quote_is_a_quotation_with_its_clip(client):
    _, quote = aired_report()
    nodes, meta, _ = linked_data(get(client, quote.get_absolute_url()))
    assert set(nodes) == {"Quotation", "Clip"}
    quotation, clip = nodes["Quotation"], nodes["Clip"]
    assert value(quotation, "text") == "We are interested in <Chinese> investors"
    speaker = quotation[SCHEMA + "spokenByCharacter"][0]
    assert speaker["@type"] == [SCHEMA + "Person"] and value(speaker, "name") == "Kiril Kaem"
    assert value(quotation[SCHEMA + "creator"][0], "name") == "Kiril Kaem"
    assert value(quotation, "dateCreated") == "2018-06-07T19:30+08:00"
    assert (value(clip, "startOffset"), value(clip, "endOffset")) == (102.5, 110)
    assert meta["citation_author"] == "Kiril Kaem"
    assert meta["citation_date"] == "2018/06/07"


def test_an_untimed_quote_has_no_clip_and_is_dated_by_publication(client):
    quote = make_quote()
    nodes, meta, _ = linked_data(get(client, quote.get_absolute_url()))
    assert set(nodes) == {"Quotation"}
    assert "dateCreated" not in str(nodes)
    day = quote.segment.report.published_at.astimezone(UTC).date()
    assert meta["DC.date"] == day.isoformat()


def test_a_speaker_page_is_a_person(client):
    speaker = make_speaker("Kiril Kaem", role="Senior Vice President",
                           organization=make_organization("Skolkovo Foundation"))  # fmt: skip
    make_segment(kind="soundbite", speaker=speaker)
    nodes, meta, _ = linked_data(get(client, speaker.get_absolute_url()))
    assert set(nodes) == {"Person"}
    assert value(nodes["Person"], "jobTitle") == "Senior Vice President"
    assert (
        value(nodes["Person"]["https://schema.org/affiliation"][0], "name") == "Skolkovo Foundation"
    )
    assert meta["DC.title"] == "Kiril Kaem"


def test_hostile_text_cannot_close_the_json_ld_block(client):
    report, _ = aired_report(title="</script><script>alert(1)</script>")
    html = get(client, report.get_absolute_url())
    assert "<script>alert(1)" not in html
    nodes, meta, _ = linked_data(html)
    assert value(nodes["NewsArticle"], "headline") == "</script><script>alert(1)</script>"
    assert meta["citation_title"] == "</script><script>alert(1)</script>"


def test_the_feed_says_when_a_report_aired(client):
    aired_report()
    feed = get(client, reverse("archive:report_feed"))
    assert "Aired 7 June 2018, 19:30 UTC+08:00 · Global Business · CGTN" in feed
