"""Two people at the desk in real browsers: presence, a refused save kept, leaving asks first."""

import time

import pytest
from django.contrib.auth import get_user_model

from archive.admin.together import presence
from archive.models import EditingPresence
from tests.desk import restore_groups
from tests.factories import make_report, make_segment
from tests.test_browser_admin import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def person(username, first, last):
    from django.contrib.auth.models import Group

    restore_groups()  # a transactional test flushed what the migration made
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=True, first_name=first, last_name=last
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def desk(browser, live_server):
    """open(username) -> a logged-in page in its own browser context (its own session)."""
    contexts = []

    def open_as(username, first, last):
        person(username, first, last)
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server, username)
        return page

    yield open_as
    for context in contexts:
        for page in context.pages:
            page.close()
    # A heartbeat sent just before the pages closed may still be on the server:
    # let it finish before the test's database is emptied.
    time.sleep(0.5)
    for context in contexts:
        context.close()


@pytest.fixture
def report():
    report = make_report(status="draft", title="Skolkovo opens")
    make_segment(report, text="The centre opened in spring.")
    return report


def change_url(live_server, report):
    return f"{live_server.url}/admin/archive/report/{report.pk}/change/"


def test_the_second_editor_sees_the_first_and_the_list_stays_current(
    desk, live_server, report, monkeypatch
):
    monkeypatch.setattr(presence, "HEARTBEAT_SECONDS", 1)
    alice = desk("alice", "Alice", "Adams")
    alice.goto(change_url(live_server, report))
    assert alice.locator(".presence-others").is_hidden()

    bob = desk("bob", "Bob", "Brown")
    bob.goto(change_url(live_server, report))
    assert "Alice Adams (since" in bob.locator(".presence-list").inner_text()

    # Carol opens it later: Bob's page shows her without being reloaded...
    carol = desk("carol", "Carol", "Cruz")
    carol.goto(change_url(live_server, report))
    bob.wait_for_function(
        "() => document.querySelector('.presence-list').textContent.includes('Carol Cruz')"
    )
    # ...and Alice's page, which keeps beating, shows both of the others.
    alice.wait_for_function(
        "() => document.querySelector('.presence-list').textContent.includes('Bob Brown')"
        " && document.querySelector('.presence-list').textContent.includes('Carol Cruz')"
    )
    # Alice leaves: she drops off Bob's list at once, not a minute later.
    alice.goto(f"{live_server.url}/admin/")
    bob.wait_for_function(
        "() => !document.querySelector('.presence-list').textContent.includes('Alice')"
    )
    assert not EditingPresence.objects.filter(user__username="alice").exists()


def test_a_refused_save_keeps_what_was_typed_and_saves_on_the_second_try(desk, live_server, report):
    alice = desk("alice", "Alice", "Adams")
    bob = desk("bob", "Bob", "Brown")
    # One save at the desk first, so a revision holds the version both open.
    alice.goto(change_url(live_server, report))
    alice.click("input[name=_continue]")
    alice.wait_for_selector(".messagelist")
    alice.goto(change_url(live_server, report))
    bob.goto(change_url(live_server, report))

    bob.fill("#id_title", "Skolkovo opens its doors")
    bob.fill("textarea[name='segments-0-text']", "The centre opened in May.")
    alice.fill("#id_dateline", "Moscow")
    alice.click("input[name=_save]")
    alice.wait_for_url(f"{live_server.url}/admin/archive/report/")

    bob.click("input[name=_save]")
    panel = bob.locator("#refused-save")
    panel.wait_for()
    assert "Alice Adams saved this report after you opened it" in panel.inner_text()
    assert "Moscow" in panel.locator("ins").all_inner_texts()
    assert bob.input_value("#id_title") == "Skolkovo opens its doors"
    assert bob.input_value("textarea[name='segments-0-text']") == "The centre opened in May."

    bob.click("input[name=_save]")
    bob.wait_for_url(f"{live_server.url}/admin/archive/report/")
    report.refresh_from_db()
    assert report.title == "Skolkovo opens its doors" and report.dateline == ""
    assert report.segments.get().text == "The centre opened in May."


def test_leaving_unsaved_changes_asks_first_and_saving_does_not(desk, live_server, report):
    page = desk("alice", "Alice", "Adams")
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    url = change_url(live_server, report)
    page.goto(url)
    page.click("#id_dateline")
    page.keyboard.type("Skolkovo")
    page.click("#site-name a")  # leave for the desk's home
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and page.url == url

    page.click("input[name=_save]")  # the form's own submit does not ask
    page.wait_for_url(f"{live_server.url}/admin/archive/report/")
    assert dialogs == ["beforeunload"]
    report.refresh_from_db()
    assert report.dateline == "Skolkovo"

    page.goto(url)  # unchanged: leaving does not ask
    page.click("#id_dateline")
    page.click("#site-name a")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert dialogs == ["beforeunload"]
