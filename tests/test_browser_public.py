"""A reader in a real Chromium: search, open a result, follow a speaker, cite, use the keyboard."""

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reader_searches_reads_follows_a_speaker_and_cites(live_server, page):
    call_command("loaddata", "archive", verbosity=0)
    page.goto(live_server.url + "/")

    page.get_by_label("Search the archive").fill("investors")
    page.get_by_label("Search the archive").press("Enter")
    page.wait_for_url("**/search/?q=investors*")
    assert page.locator("ol.results mark").first.inner_text().lower().startswith("investor")

    page.locator("ol.results h3 a").first.click()
    page.wait_for_url("**/reports/skolkovo-china-russia-hi-tech-center/**")
    assert page.locator("h1").count() == 1

    page.locator("ol.transcript a", has_text="Kiril Kaem").first.click()
    page.wait_for_url("**/speakers/kiril-kaem/")
    assert page.locator("h1").inner_text() == "Kiril Kaem"

    page.locator(".appearances a").first.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="BibTeX").click()
    download = download_info.value
    assert download.suggested_filename == "skolkovo-china-russia-hi-tech-center.bib"
    with open(download.path(), encoding="utf-8") as handle:
        assert handle.read().startswith("@misc{")


def test_keyboard_reaches_the_skip_link_with_visible_focus(live_server, page):
    call_command("loaddata", "archive", verbosity=0)
    page.goto(live_server.url + "/reports/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    skip = page.locator(".skip-link")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0  # moved on screen when focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
