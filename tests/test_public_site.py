"""The public site's newer parts: quote filters, topics, feeds, passages, names, robots."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from archive.collation import name_key
from archive.models import Report, Topic

from .factories import make_quote, make_report, make_segment, make_speaker, make_topic

pytestmark = pytest.mark.django_db


def test_quote_list_filters_by_speaker_topic_outlet_and_dates(client):
    kaem, other = make_speaker("Kiril Kaem"), make_speaker("Other Person")
    topic = make_topic("Technology")
    old = make_report("Old", published_at=timezone.now() - timedelta(days=400))
    old.topics.add(topic)
    make_quote(make_segment(old, kind="soundbite", speaker=kaem, text="Kaem said this."))
    new = make_report("New")
    make_quote(make_segment(new, kind="soundbite", speaker=other, text="Other said that."))
    url = reverse("archive:quote_list")

    def texts(query):
        return [quote.text for quote in client.get(url + "?" + query).context["quotes"]]

    assert texts(f"speaker={kaem.slug}") == ["Kaem said this."]
    assert texts(f"topic={topic.slug}") == ["Kaem said this."]
    day = timezone.localdate(new.published_at).isoformat()
    assert texts(f"date_from={day}") == ["Other said that."]
    assert texts("speaker=nobody-at-all") == []
    assert sorted(texts("speaker=<script>")) == ["Kaem said this.", "Other said that."]


def test_topics_page_lists_public_topics_with_counts(client):
    energy, hidden = make_topic("Energy"), make_topic("Secret topic")
    for n in range(2):
        make_report(f"Energy {n}").topics.add(energy)
    make_report("Draft", status=Report.Status.DRAFT).topics.add(energy, hidden)
    html = client.get(reverse("archive:topic_list")).text
    assert f'href="{energy.get_absolute_url()}">Energy</a> <span class="meta">(2 reports)' in html
    assert "Secret topic" not in html


def test_topics_differing_only_by_case_are_one(admin_client):
    make_topic("Energy")
    with pytest.raises(ValidationError):
        Topic(name="ENERGY", slug="energy-upper").full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Topic.objects.create(name="energy", slug="energy-lower")
    response = admin_client.post(
        reverse("admin:archive_topic_add"), {"name": "eNeRgY", "slug": "x"}
    )
    assert response.status_code == 200 and "differ only by case" in response.text
    assert Topic.objects.count() == 1


def test_every_segment_offers_a_link_to_its_passage_and_quotes_link_to_their_page(client):
    report = make_report("Linked")
    make_segment(report, text="Intro.")
    quote = make_quote(make_segment(report, kind="soundbite", speaker=make_speaker(), text="Said."))
    html = client.get(report.get_absolute_url()).text
    assert 'href="#segment-1"' in html and 'href="#segment-2"' in html
    assert f'<a class="quote-link" href="{quote.get_absolute_url()}"><mark class="quote"' in html


def test_names_sort_as_a_reader_expects(client):
    for name in ["Yusuf Ali", "Łukasz Nowak", "Émile Zola", "Anna Berg", "Mark Lee"]:
        make_segment(make_report(), speaker=make_speaker(name), kind="soundbite")
    listed = [s.name for s in client.get(reverse("archive:speaker_list")).context["speakers"]]
    assert listed == ["Anna Berg", "Émile Zola", "Łukasz Nowak", "Mark Lee", "Yusuf Ali"]
    assert name_key("Łukasz") < name_key("Mark") < name_key("Yusuf")


@pytest.mark.parametrize("feed", ["quote_feed", "speaker_feed", "topic_feed"])
def test_feeds_carry_public_items_only(client, feed):
    speaker, topic = make_speaker("Feed Person"), make_topic("Feed topic")
    public = make_report("Public feed report")
    public.topics.add(topic)
    make_quote(make_segment(public, kind="soundbite", speaker=speaker, text="Public words."))
    draft = make_report("Draft feed report", status=Report.Status.DRAFT)
    draft.topics.add(topic)
    make_quote(make_segment(draft, kind="soundbite", speaker=speaker, text="Draft words."))
    args = {"quote_feed": [], "speaker_feed": [speaker.slug], "topic_feed": [topic.slug]}[feed]
    body = client.get(reverse(f"archive:{feed}", args=args)).text
    assert "Public" in body and "Draft" not in body


def test_feeds_answer_if_modified_since_with_304(client):
    make_report("Fresh")
    url = reverse("archive:report_feed")
    modified = client.get(url)["Last-Modified"]
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304


def test_robots_txt_points_to_the_sitemap_and_keeps_the_admin_out(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "Disallow: /admin/" in lines  # the admin and its previews
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_favicon_is_our_own_static_file(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/archive/favicon.svg"
    with open(finders.find("archive/favicon.svg")) as svg:
        assert "<svg" in svg.read()
    assert 'rel="icon" type="image/svg+xml"' in client.get(reverse("archive:home")).text


@pytest.mark.parametrize(
    "path, status",
    [
        ("/speakers/%00/feed/", 404),
        ("/topics/%00/feed/", 404),
        ("/topics/?page=%00", 400),  # a NUL in any query string: config/middleware.py
        ("/quotes/?speaker=%00&topic=%00&date_from=%00&date_to=9999-99-99", 400),
        ("/quotes/?speaker=x&date_from=2018-13-01&date_to=9999-99-99", 200),
        ("/quotes/?date_from=0001-01-01&date_to=9999-12-31", 200),
        ("/search/?q=x&kind=%00&sort=%00&date_from=%00&date_to=%00", 400),
        ("/search/?q=x&kind=nope&sort=nope&date_from=x&date_to=y", 200),
        ("/search/?q=x&date_to=9999-12-31&date_from=0001-01-01", 200),
        ("/data/%00", 404),
        ("/data/..%2f..%2fconfig%2fsettings.py", 404),
        ("/api/v1/reports/%00/", 404),
        ("/api/v1/speakers/%00/", 404),
        ("/api/v1/reports/?speaker=%00", 400),
        ("/api/v1/reports/?date_from=0001-01-01&date_to=9999-12-31", 200),
        ("/api/v1/search/?q=%00", 200),
        ("/api/v1/quotes/?featured=maybe", 400),
        ("/api/v1/reports/?page_size=-5", 200),
        ("/api/v1/segments/?cursor=%00", 200),  # decodes to an empty cursor: the first page
    ],
)
def test_hostile_input_on_new_routes_gets_a_4xx_or_a_normal_page(client, path, status):
    make_quote()
    response = client.get(path)
    assert response.status_code == status, path
    if path.startswith("/api/"):
        assert response["Content-Type"].startswith("application/problem+json") or status == 200
