"""HTTP as shared caches expect: compression without BREACH exposure, ETags, Cache-Control."""

import gzip

import brotli
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

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
