"""Production hardening: headers, `check --deploy`, HTTPS, and the admin-login lockout."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import reverse

from archive.lockout import client_ip

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-editor-passphrase"


@pytest.fixture
def editor():
    return get_user_model().objects.create_user(
        "editor", password=PASSWORD, is_staff=True, is_superuser=True
    )


def assert_hardened(response):
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


@pytest.mark.parametrize("url_name", ["archive:home", "archive:report_list", "admin:login"])
def test_public_pages_and_admin_login_send_the_security_headers(client, url_name):
    response = client.get(reverse(url_name), secure=True)
    assert response.status_code == 200
    assert_hardened(response)


def test_report_page_sends_the_security_headers(client, seed_report):
    response = client.get(seed_report.get_absolute_url(), secure=True)
    assert response.status_code == 200
    assert_hardened(response)


def test_admin_cookies_are_secure_and_http_only(client, editor):
    response = client.post(
        reverse("admin:login"), {"username": "editor", "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert response.cookies[settings.CSRF_COOKIE_NAME]["secure"]


def test_plain_http_is_redirected_to_https_unless_the_proxy_says_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # middleware reads the setting when the handler loads
    response = client.get(reverse("archive:home"))
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    # Behind the TLS proxy: it forwards X-Forwarded-Proto: https.
    response = client.get(reverse("archive:home"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="archive.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_reports_debug_left_on():
    """The clean report above means something: the same check does catch a mistake."""
    result = run_manage("check", "--deploy", DEBUG="1", SECRET_KEY=secrets.token_urlsafe(50))
    assert "security.W018" in result.stderr + result.stdout


def failed_login(client, username="editor", address="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": "wrong password"},
        REMOTE_ADDR=address,
    )


def test_admin_login_locks_after_repeated_failures_and_says_so(client, editor):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = failed_login(client)
        assert response.status_code == 200  # the login form again, with its error
        assert "locked" not in response.text

    response = failed_login(client)
    assert response.status_code == 429
    assert "Account locked" in response.text
    assert "Too many failed login attempts for “editor”" in response.text

    # Locked means locked: the right password is refused as well, and nobody is logged in.
    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_holds_one_username_at_one_address(client, editor):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        failed_login(client)
    # The same editor from another address, and another user from this one, still get in.
    other_address = Client()
    response = other_address.post(
        reverse("admin:login"),
        {"username": "editor", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 302
    get_user_model().objects.create_user("colleague", password=PASSWORD, is_staff=True)
    response = Client().post(
        reverse("admin:login"),
        {"username": "colleague", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302


def test_login_without_a_request_still_works_for_tests_and_shells(client, editor):
    # axes refuses authenticate() without a request; the project's backend lets it through.
    assert client.login(username="editor", password=PASSWORD)
    assert not client.login(username="editor", password="wrong password")


@pytest.mark.parametrize(
    "proxies, forwarded_for, expected",
    [
        (0, "198.51.100.1", "10.0.0.2"),  # no proxy trusted: the header is ignored
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a spoofed left-most entry is ignored
        (2, "198.51.100.1, 10.0.0.9", "198.51.100.1"),
        (2, "", "10.0.0.2"),  # fewer hops than proxies: fall back to the peer
    ],
)
def test_lockout_counts_by_the_address_the_trusted_proxy_saw(
    settings, proxies, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get(
        "/admin/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for
    )
    assert client_ip(request) == expected


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_pages_and_admin_run_in_chromium_without_csp_violations(live_server, page):
    from django.core.management import call_command

    from archive.models import Report

    call_command("loaddata", "archive", verbosity=0)
    report = Report.objects.get()
    get_user_model().objects.create_superuser("editor", password=PASSWORD)
    violations = []

    def note_violation(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", note_violation)

    public = [reverse("archive:home"), report.get_absolute_url(), reverse("archive:search")]
    for path in [*public, reverse("archive:search") + "?q=Skolkovo"]:
        page.goto(live_server.url + path)
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    page.goto(live_server.url + reverse("admin:archive_report_change", args=[report.pk]))
    for name in ["admin:archive_report_changelist", "admin:archive_quote_changelist"]:
        page.goto(live_server.url + reverse(name))
    page.goto(live_server.url + reverse("admin:archive_report_preview", args=[report.pk]))
    page.goto(live_server.url + reverse("admin:archive_report_change", args=[report.pk]))
    # The admin's own scripts ran: the inlines' "add another" links are drawn by inlines.js.
    assert page.locator(".add-row a").count() >= 1
    assert violations == []
