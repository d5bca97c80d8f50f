"""An editor at the desk in a real browser: edit, trim, publish, see it live."""

import pytest
from django.core.management import call_command

from archive.models import Quote, Report
from tests.conftest import SEED_SLUG
from tests.desk import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


@pytest.fixture
def draft_seed():
    call_command("loaddata", "archive", verbosity=0)
    report = Report.objects.get(slug=SEED_SLUG)
    report.status = Report.Status.DRAFT
    report.save()
    return report


def test_editor_edits_trims_publishes_and_sees_it_live(page, live_server, draft_seed):
    make_user("editor", password=PASSWORD)
    public_url = f"{live_server.url}{draft_seed.get_absolute_url()}"
    assert page.goto(public_url).status == 404

    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/archive/report/{draft_seed.pk}/change/")
    igor = draft_seed.segments.get(position=3)
    row = page.locator(f".segment[data-segment='{igor.pk}']")
    row.locator("input[name$='-speaker_title']").fill("MASTER CRAFTSMAN, MOTORICA")
    quote = Quote.objects.get(segment=igor)
    excerpt = "If you want to be proud of what you're doing"
    page.locator(f"input[name^='quotes-'][value='{quote.pk}']").locator(
        "xpath=ancestor::tr"
    ).locator("textarea[name$='-text']").fill(excerpt)
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    page.wait_for_url(f"{live_server.url}/admin/archive/report/")

    page.goto(public_url)
    page.wait_for_selector("text=MASTER CRAFTSMAN, MOTORICA")
    assert "MASTER CRAFTSMAN, MOTORICA" in page.content()
    quote.refresh_from_db()
    assert quote.text == excerpt and quote.matches_source


def test_a_contributor_cannot_publish_from_the_browser(page, live_server, draft_seed):
    make_user("contributor", password=PASSWORD)
    log_in(page, live_server, "contributor")
    page.goto(f"{live_server.url}/admin/archive/report/{draft_seed.pk}/change/")
    options = page.locator("#id_status option").all_inner_texts()
    assert "Published" not in options
    # Force the option in, as a hostile page edit would, and submit.
    page.evaluate(
        "() => { const o = new Option('Published', 'published', true, true);"
        " document.querySelector('#id_status').add(o); }"
    )
    page.click("input[name=_save]")
    page.wait_for_selector("text=Select a valid choice")
    draft_seed.refresh_from_db()
    assert draft_seed.status == Report.Status.DRAFT
    page.goto(f"{live_server.url}/admin/archive/report/")
    assert page.locator("select[name=action] option[value=publish_now]").count() == 0
