"""A researcher in a real Chromium: find a person by name, read their passage, get the data."""

import json

import pytest
from django.core.management import call_command

from archive.exports.writer import write_dataset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_researcher_finds_a_person_follows_a_passage_and_downloads_the_data(
    live_server, page, settings, tmp_path
):
    call_command("loaddata", "archive", verbosity=0)
    settings.DATASET_DIR = tmp_path / "dataset"
    write_dataset(settings.DATASET_DIR)
    violations = []
    page.on("console", lambda message: violations.append(message.text))

    page.goto(live_server.url + "/")
    page.get_by_label("Search the archive").fill("kaem")  # lower case, surname only
    page.get_by_label("Search the archive").press("Enter")
    page.wait_for_url("**/search/?q=kaem*")
    people = page.locator("section.people a")
    assert people.first.inner_text() == "Kiril Kaem"
    assert "report" in page.locator(".result-count").inner_text()

    passage = page.locator("ol.results a.passage-link").first
    href = passage.get_attribute("href")
    assert "#segment-" in href
    passage.click()
    page.wait_for_url("**/reports/skolkovo-china-russia-hi-tech-center/#segment-*")
    target = page.locator(".segment:target")
    assert target.count() == 1 and "Kaem" in target.inner_text()  # the passage found
    marked = target.evaluate("element => getComputedStyle(element).backgroundColor")
    assert marked not in ("rgba(0, 0, 0, 0)", "transparent")  # the passage is marked

    page.goto(live_server.url + "/speakers/kiril-kaem/")
    assert page.locator("h1").inner_text() == "Kiril Kaem"

    page.goto(live_server.url + "/data/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="quotes.csv").click()
    download = download_info.value
    assert download.suggested_filename == "quotes.csv"
    with open(download.path(), encoding="utf-8") as handle:
        assert handle.readline().strip() == "id,speaker,report,position,text,featured"
    package = page.request.get(live_server.url + "/data/datapackage.json")
    assert json.loads(package.text())["name"] == "report-archive"
    assert not [text for text in violations if "Content Security Policy" in text]


def test_api_documentation_runs_under_the_sites_csp(live_server, page):
    call_command("loaddata", "archive", verbosity=0)
    violations = []
    page.on("console", lambda message: violations.append(message.text))
    page.goto(live_server.url + "/api/v1/docs/")
    page.locator(".opblock-summary-path", has_text="/api/v1/reports/").first.wait_for()
    assert not [text for text in violations if "Content Security Policy" in text], violations
