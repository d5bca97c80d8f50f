import os
import shutil

import pytest
from django.core.management import call_command
from hypothesis import settings

from archive.models import Report

# Property tests draw new examples on every run of `make test`, to keep finding
# bugs; CI (.ci/run sets HYPOTHESIS_PROFILE=ci) draws the same ones each time, so
# a merge lands or not on its own merits, not on the luck of the draw.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

SEED_SLUG = "skolkovo-china-russia-hi-tech-center"


@pytest.fixture
def seed_report(db):
    """The archive's real seed report, loaded from fixtures/archive.json."""
    call_command("loaddata", "archive", verbosity=0)
    return Report.objects.get(slug=SEED_SLUG)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright.

    Skips with the reason when Chromium or Playwright is missing, except where
    REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
    """
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "Playwright for Python is not installed"
    if reason is None and not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser required but unavailable: {reason}")
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the Django ORM
    # calls the tests make between page actions are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty public page cache (archive/caching.py)."""
    from django.core.cache import caches

    from archive.caching import CACHE_ALIAS

    caches[CACHE_ALIAS].clear()
    yield
    caches[CACHE_ALIAS].clear()
