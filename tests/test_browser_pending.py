"""In a real browser: a contributor corrects a live report, an editor reviews and publishes it."""

import pytest
from django.core.management import call_command

from archive.models import PendingChange, Report
from tests.conftest import SEED_SLUG
from tests.desk import make_user
from tests.test_browser_admin import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_contributors_correction_waits_until_an_editor_publishes_it(browser, page, live_server):
    call_command("loaddata", "archive", verbosity=0)
    report = Report.objects.get(slug=SEED_SLUG)
    assert report.is_public
    segment = report.segments.filter(kind="narration").order_by("position").first()
    word = segment.text.split()[1]
    corrected = segment.text.replace(f" {word} ", " CORRECTED ", 1)
    make_user("contributor", password=PASSWORD)
    make_user("editor", password=PASSWORD)
    public_url = f"{live_server.url}{report.get_absolute_url()}"
    change_url = f"{live_server.url}/admin/archive/report/{report.pk}/change/"

    log_in(page, live_server, "contributor")
    page.goto(change_url)
    row = page.locator(f".segment[data-segment='{segment.pk}']")
    row.locator("textarea[name$='-text']").fill(corrected)
    page.click("input[name=_save]")
    page.wait_for_selector("text=waits for an editor's review")
    assert "Your change" in page.locator("#pending-status").inner_text()
    reader = browser.new_context().new_page()
    reader.goto(public_url)
    assert "CORRECTED" not in reader.content()
    assert PendingChange.objects.count() == 1

    editor = browser.new_context().new_page()
    editor.set_default_timeout(10_000)
    log_in(editor, live_server, "editor")
    editor.goto(change_url)
    assert "A pending change by contributor" in editor.locator("#pending-status").inner_text()
    editor.click("#pending-status a")
    assert editor.locator(".word-diff ins").first.inner_text() == "CORRECTED"
    assert word in editor.locator(".word-diff del").first.inner_text()
    editor.click("button[value=publish]")
    editor.wait_for_selector("text=is live")

    assert not PendingChange.objects.exists()
    segment.refresh_from_db()
    assert segment.text == corrected
    # A new reader: the first one's browser may keep its copy for the page's max-age.
    reader = browser.new_context().new_page()
    reader.goto(public_url)
    assert "CORRECTED" in reader.content()
