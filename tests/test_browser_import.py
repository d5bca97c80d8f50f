"""An editor takes two transcripts from upload to publication in a real browser."""

import pytest
from django.conf import settings

from archive.models import Report
from tests.desk import make_user
from tests.test_browser_admin import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = settings.BASE_DIR / "fixtures" / "transcripts" / "skolkovo-china-russia-hi-tech-center.txt"
HARLOW = settings.BASE_DIR / "tests" / "transcripts" / "examples" / "03_harlow-springs-hospital.txt"


def test_an_editor_uploads_previews_imports_and_publishes(page, live_server, settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path
    make_user("editor", password=PASSWORD)
    log_in(page, live_server, "editor")

    page.click("text=Import transcripts…")
    page.set_input_files("#id_files", [str(SEED), str(HARLOW)])
    with page.expect_request(lambda request: request.method == "POST") as sent:
        page.click("input[value='Upload and preview']")
    assert sent.value.resource_type == "xhr"  # the page's script sends it, driving <progress>
    page.wait_for_selector("#import-plan")
    assert page.locator("#import-plan tbody tr.import-new").count() == 2
    seed_row = page.locator(f"tr[data-file='{SEED.name}']")
    assert "Kiril Kaem — SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION" in seed_row.inner_text()
    assert "name-colon" in page.locator(f"tr[data-file='{HARLOW.name}']").inner_text()
    assert not Report.objects.exists()  # the preview wrote nothing

    page.click("input[value='Import the chosen files as drafts']")
    page.wait_for_url(f"{live_server.url}/admin/")
    drafts = page.locator("[data-section='My drafts'] .desk-count")
    assert drafts.inner_text() == "2"
    drafts.click()
    page.wait_for_selector("#result_list")
    assert page.locator("#result_list tbody tr").count() == 2

    seed = Report.objects.get(source_name=SEED.name)
    assert seed.status == Report.Status.DRAFT and seed.created_by.username == "editor"
    assert page.goto(f"{live_server.url}{seed.get_absolute_url()}").status == 404
    page.go_back()
    page.check(f"input[name=_selected_action][value='{seed.pk}']")
    page.select_option("select[name=action]", "publish_now")
    page.click("button[name=index]")
    page.click("input[name=apply]")  # the confirmation lists what goes live
    page.wait_for_selector("text=Published: 1 report(s).")

    page.goto(f"{live_server.url}{seed.get_absolute_url()}")
    assert seed.title in page.content()
    other = Report.objects.get(source_name=HARLOW.name)
    assert other.status == Report.Status.DRAFT
    assert page.goto(f"{live_server.url}{other.get_absolute_url()}").status == 404
