"""The transcript editor in a real browser: it fits a laptop and a phone, and works by keyboard."""

import pytest

from archive.models import Quote
from tests import test_browser_admin
from tests.desk import make_user
from tests.test_browser_admin import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
draft_seed = test_browser_admin.draft_seed  # the seed report as a draft (a fixture)


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_report_page_fits_the_window_without_scrolling_sideways(
    page, live_server, draft_seed, width, height
):
    make_user("editor", password=PASSWORD)
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/archive/report/{draft_seed.pk}/change/")
    page.wait_for_selector(".transcript-editor")
    overflow = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], overflow
    # Nor is any field cut off inside a box that scrolls on its own.
    cut_off = page.evaluate(
        "() => Array.from(document.querySelectorAll('#report_form textarea, #report_form select,"
        " #report_form input:not([type=hidden]), #report_form .select2-container'))"
        ".filter(e => e.offsetParent && e.getBoundingClientRect().right > innerWidth + 1)"
        ".map(e => e.name || e.className)"
    )
    assert cut_off == [], cut_off
    # Every segment's text box is as wide as its column allows, and shows all its text.
    boxes = page.evaluate(
        "() => Array.from(document.querySelectorAll('textarea.segment-text'))"
        ".filter(t => t.offsetParent).map(t => [t.scrollHeight - t.clientHeight, t.clientWidth])"
    )
    assert boxes and all(hidden <= 1 for hidden, _width in boxes), boxes
    assert all(box_width >= min(width - 80, 500) for _hidden, box_width in boxes), boxes
    # Keyboard-first: a segment is its text, kind, speaker (and "add a speaker"), title, two
    # times and its tools; the rest waits in the tools until they are opened.
    stops = page.evaluate(
        "() => Array.from(document.querySelectorAll('.segment-list .segment:not(.empty-form)'))"
        ".map(row => Array.from(row.querySelectorAll('a[href], button, input, select, textarea,"
        " summary, [tabindex]')).filter(e => e.tabIndex >= 0 && !e.disabled"
        " && e.checkVisibility()).length)"
    )
    assert stops and max(stops) <= 8, stops


def tab_to(page, selector, *, most=400):
    """Press Tab until the element ``selector`` has the focus; returns how many presses."""
    for presses in range(1, most + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
            return presses
    raise AssertionError(f"{selector} never had the focus")


def test_an_editor_splits_a_segment_and_quotes_a_selected_phrase_by_keyboard_only(
    page, live_server, draft_seed
):
    make_user("editor", password=PASSWORD)
    log_in(page, live_server, "editor")
    segment = draft_seed.segments.get(text__startswith="And Skolkovo bosses do not hide")
    first_half = "And Skolkovo bosses do not hide that"
    assert segment.text.startswith(first_half + " they are welcoming China's presence")
    page.goto(f"{live_server.url}/admin/archive/report/{draft_seed.pk}/change/")

    tab_to(page, f".segment[data-segment='{segment.pk}'] textarea.segment-text")
    page.keyboard.press("Control+Home")
    for _ in range(len(first_half) + 1):
        page.keyboard.press("ArrowRight")
    with page.expect_navigation():
        page.keyboard.press("Alt+Enter")
    page.wait_for_selector("text=Split: the new segment")

    segment.refresh_from_db()
    assert segment.text == first_half
    second = draft_seed.segments.get(position=segment.position + 1)
    assert second.text.startswith("they are welcoming China's presence")
    # The page comes back with the keyboard in the new segment, at its start.
    focused = f".segment[data-segment='{second.pk}'] textarea.segment-text"
    page.wait_for_function(f"() => document.activeElement.matches({focused!r})")
    for _ in range(len("they are ")):
        page.keyboard.press("ArrowRight")
    for _ in range(len("welcoming China's presence")):
        page.keyboard.press("Shift+ArrowRight")
    with page.expect_navigation():
        page.keyboard.press("Alt+Q")
    page.wait_for_selector("text=Quoted")

    quote = Quote.objects.get(segment=second)
    assert (quote.text, quote.speaker_id, quote.matches_source) == (
        "welcoming China's presence",
        second.speaker_id,
        True,
    )
    assert page.url.startswith(f"{live_server.url}/admin/archive/report/{draft_seed.pk}/change/")

    # Ctrl+S saves and keeps editing, here a word typed at the end of the quoted segment.
    focused = f".segment[data-segment='{second.pk}'] textarea.segment-text"
    page.wait_for_function(f"() => document.activeElement.matches({focused!r})")
    page.keyboard.press("Control+End")
    page.keyboard.type(" Indeed.")
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    second.refresh_from_db()
    assert second.text.endswith("presence here. Indeed.")
    assert Quote.objects.get(pk=quote.pk).matches_source


def test_the_editor_can_show_only_the_segments_that_need_review(page, live_server, draft_seed):
    unsure = draft_seed.segments.get(position=3)
    type(unsure).objects.filter(pk=unsure.pk).update(needs_review=True)
    make_user("editor", password=PASSWORD)
    log_in(page, live_server, "editor")
    page.goto(f"{live_server.url}/admin/archive/report/{draft_seed.pk}/change/")
    visible = (
        "() => Array.from(document.querySelectorAll('.segment[data-segment]'))"
        ".filter(s => s.checkVisibility()).map(s => s.dataset.segment)"
    )
    assert len(page.evaluate(visible)) == draft_seed.segments.count()
    page.focus("#only-needs-review")
    page.keyboard.press("Space")
    assert page.evaluate(visible) == [str(unsure.pk)]
