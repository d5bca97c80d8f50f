"""HTTP as shared caches expect: compression without BREACH exposure, ETags, Cache-Control."""

import gzip
from datetime import datetime, timedelta
from unittest import mock

import brotli
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from archive.models import Report

from .factories import make_report, make_segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    report = make_report("Compressible " * 20)
    for _ in range(5):
        make_segment(report, text="Words repeated on air. " * 30)
    return report


@pytest.mark.parametrize("url", ["page", "api", "css-like feed"])
def test_public_responses_are_compressed_with_brotli_or_gzip(client, report, url):
    url = {
        "page": report.get_absolute_url(),
        "api": f"/api/v1/reports/{report.slug}/",
        "css-like feed": reverse("archive:report_feed"),
    }[url]
    plain = client.get(url).content
    br = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br["Content-Encoding"] == "br" and "Accept-Encoding" in br["Vary"]
    assert brotli.decompress(br.content) == plain
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz["Content-Encoding"] == "gzip"
    assert gzip.decompress(gz.content) == plain


def test_responses_with_a_csrf_token_or_session_are_not_compressed(client, report):
    # The admin login renders a CSRF token: BREACH could read it off compressed lengths.
    login = client.get(reverse("admin:login"), headers={"Accept-Encoding": "gzip, br"})
    assert login.status_code == 200 and not login.has_header("Content-Encoding")
    user = get_user_model().objects.create_superuser("editor", password="a-long-passphrase-1")
    client.force_login(user)
    changelist = client.get(
        reverse("admin:archive_report_changelist"), headers={"Accept-Encoding": "gzip, br"}
    )
    assert changelist.status_code == 200 and not changelist.has_header("Content-Encoding")
    assert "private" in changelist["Cache-Control"] or "no-store" in changelist["Cache-Control"]


def test_pages_send_an_etag_and_answer_304(client, report):
    response = client.get(report.get_absolute_url())
    etag = response["ETag"]
    again = client.get(report.get_absolute_url(), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    report.title = "Changed title"
    report.save()
    assert client.get(report.get_absolute_url(), headers={"If-None-Match": etag}).status_code == 200


def test_public_pages_may_be_kept_briefly_by_a_shared_cache(client, report):
    for url in [reverse("archive:home"), report.get_absolute_url(), "/api/v1/reports/"]:
        cache_control = client.get(url)["Cache-Control"]
        assert "public" in cache_control and "s-maxage=300" in cache_control, url


def test_errors_and_withdrawn_pages_are_never_stored(client, report):
    report.status = Report.Status.WITHDRAWN
    report.withdrawal_reason = "Legal"
    report.save()
    gone = client.get(report.get_absolute_url())
    assert gone.status_code == 410 and "no-store" in gone["Cache-Control"]
    missing = client.get("/reports/no-such-report/")
    assert missing.status_code == 404 and "no-store" in missing["Cache-Control"]


def test_previews_and_the_admin_are_never_cached(client, report):
    user = get_user_model().objects.create_superuser("editor", password="a-long-passphrase-1")
    client.force_login(user)
    preview = client.get(reverse("admin:archive_report_preview", args=[report.pk]))
    assert preview.status_code == 200
    assert "no-store" in preview["Cache-Control"] and "private" in preview["Cache-Control"]
    assert "public" not in client.get(reverse("admin:index"))["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_anonymous_pages_are_compressed_and_public_outside_a_transaction(client):
    """As in production: the page cache runs (it reads the empty session of a reader)."""
    report = make_report("Served " * 40)
    make_segment(report, text="Words repeated on air. " * 30)
    for _ in range(2):  # rendered, then served from the page cache
        response = client.get(report.get_absolute_url(), headers={"Accept-Encoding": "br"})
        assert response["Content-Encoding"] == "br"
        assert "public" in response["Cache-Control"]


# --- Last-Modified on the public pages (archive/caching.py) -------------------------
# The page cache's counters are the times of the last change of each scope; these
# tests commit for real, as a server does (inside a transaction the cache stands aside).


def change_counters_an_hour_ago():
    """As if every write so far had been made an hour ago (a counter is a time, in µs)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE archive_change_counter SET value = value - %s", [3_600_000_000])


def modified_since(client, url, moment):
    return client.get(url, headers={"If-Modified-Since": moment})


@pytest.mark.django_db(transaction=True)
def test_public_pages_send_last_modified_and_answer_304(client, report):
    make_report("Filed earlier", published_at=timezone.now() - timedelta(hours=2))
    change_counters_an_hour_ago()
    for url in (report.get_absolute_url(), reverse("archive:report_list"), "/speakers/"):
        modified = client.get(url)["Last-Modified"]
        assert parse_http_date(modified) <= timezone.now().timestamp() - 3_500
        again = modified_since(client, url, modified)
        assert again.status_code == 304 and again.content == b""
        earlier = http_date(parse_http_date(modified) - 1)
        assert modified_since(client, url, earlier).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_publish_moves_last_modified_on(client, report):
    url = reverse("archive:report_list")
    change_counters_an_hour_ago()
    before = client.get(url)["Last-Modified"]
    draft = make_report("Fresh news", status=Report.Status.DRAFT)
    draft.status, draft.published_at = Report.Status.PUBLISHED, timezone.now() - timedelta(hours=3)
    draft.save()
    fresh = modified_since(client, url, before)
    # Changed this very second: no time is sent yet (HTTP dates count whole seconds).
    assert fresh.status_code == 200 and "Fresh news" in fresh.text
    assert not fresh.has_header("Last-Modified")
    later = timezone.now() + timedelta(seconds=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        after = client.get(url)["Last-Modified"]
        assert parse_http_date(after) > parse_http_date(before)
        assert modified_since(client, url, before).status_code == 200
        assert modified_since(client, url, after).status_code == 304


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_report_going_live_moves_last_modified_on(client, report):
    start = timezone.now()
    make_report("Embargoed", published_at=start + timedelta(minutes=30))
    change_counters_an_hour_ago()
    url = reverse("archive:report_list")
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=29)):
        before = client.get(url)["Last-Modified"]
        assert modified_since(client, url, before).status_code == 304
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=31)):
        live = modified_since(client, url, before)
        assert live.status_code == 200 and "Embargoed" in live.text
        assert parse_http_date(live["Last-Modified"]) == int(
            (start + timedelta(minutes=30)).timestamp()
        )


@pytest.mark.django_db(transaction=True)
def test_pages_that_print_the_date_are_modified_at_midnight_at_the_latest(client, report):
    change_counters_an_hour_ago()
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=1)):
        midnight = datetime.combine(timezone.localdate(), datetime.min.time())
        midnight = timezone.make_aware(midnight).timestamp()
        # The citation on a report's page reads "accessed <today>".
        assert parse_http_date(client.get(report.get_absolute_url())["Last-Modified"]) == midnight
        assert (
            parse_http_date(client.get(reverse("archive:report_list"))["Last-Modified"]) < midnight
        )


@pytest.mark.django_db(transaction=True)
def test_a_feed_whose_newest_item_is_withdrawn_is_modified_then(client, report):
    older = make_report("Older item", published_at=timezone.now() - timedelta(days=2))
    url = reverse("archive:report_feed")
    change_counters_an_hour_ago()
    before = client.get(url)["Last-Modified"]
    report.status, report.withdrawal_reason = Report.Status.WITHDRAWN, "Retracted."
    report.save()
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + timedelta(seconds=3)
    ):
        feed = modified_since(client, url, before)
        # The newest item left: the feed changed, though its items are all older now.
        assert (
            feed.status_code == 200 and report.title not in feed.text and older.title in feed.text
        )
        assert parse_http_date(feed["Last-Modified"]) > parse_http_date(before)
