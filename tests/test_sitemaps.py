"""/sitemap.xml is an index of paged sitemaps; together they list every public
report, quote, speaker and topic, and nothing else."""

import math
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from archive import sitemaps
from archive.models import Report
from tests.factories import make_quote, make_report, make_segment, make_speaker, make_topic

pytestmark = pytest.mark.django_db


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return re.findall(r"<loc>([^<]+)</loc>", response.text)


def every_listed_url(client):
    listed = []
    for page in locations(client, reverse("archive:sitemap")):
        listed += locations(client, page.removeprefix("http://testserver"))
    return listed


def test_the_pages_list_every_public_report_across_pages(client, monkeypatch):
    monkeypatch.setattr(sitemaps.PagedSitemap, "limit", 3)
    reports = [make_report(f"Public {n}") for n in range(8)]
    index = locations(client, reverse("archive:sitemap"))
    report_pages = [url for url in index if "sitemap-reports.xml" in url]
    assert len(report_pages) == math.ceil(reports[-1].pk / 3)  # blocks of 3 ids
    url = reverse("archive:sitemap_section", kwargs={"section": "reports"})
    listed = []
    for page in sorted({(report.pk - 1) // 3 + 1 for report in reports}):
        assert f"http://testserver{url}" + (f"?p={page}" if page > 1 else "") in index
        listed += locations(client, f"{url}?p={page}")
    assert listed == [f"http://testserver{report.get_absolute_url()}" for report in reports]


def test_quotes_speakers_and_topics_are_listed(client):
    quote = make_quote(text="Words spoken on air.")
    topic = make_topic("Elections")
    quote.segment.report.topics.add(topic)
    listed = every_listed_url(client)
    for obj in (quote, quote.speaker, topic):
        assert f"http://testserver{obj.get_absolute_url()}" in listed


@pytest.mark.parametrize(
    "hidden",
    [
        {"status": Report.Status.DRAFT},
        {"status": Report.Status.REVIEW},
        {"status": Report.Status.WITHDRAWN, "withdrawal_reason": "Retracted."},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "review", "withdrawn", "scheduled"],
)
def test_no_hidden_report_or_what_it_holds_is_listed(client, hidden):
    make_report("Public")
    report = make_report("Hidden", **hidden)
    speaker = make_speaker("Only in the hidden report")
    quote = make_quote(make_segment(report, text="Hidden words.", speaker=speaker))
    topic = make_topic("Only hidden")
    report.topics.add(topic)
    listed = " ".join(every_listed_url(client))
    for obj in (report, quote, speaker, topic):
        assert obj.get_absolute_url() not in listed


def test_a_page_past_the_last_is_not_found(client):
    last = (make_report().pk - 1) // sitemaps.PAGE_SIZE + 1
    url = reverse("archive:sitemap_section", kwargs={"section": "reports"})
    assert client.get(url, {"p": last + 1}).status_code == 404
    assert client.get(url, {"p": last}).status_code == 200
    assert client.get(url, {"p": 0}).status_code == 404
