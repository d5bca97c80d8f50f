"""A reader in a real Chromium plays a report's recording from a segment's time link."""

import math
import struct
import wave

import pytest
from django.contrib.staticfiles import finders

from .factories import make_report, make_segment, make_speaker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RATE = 8000


def write_tone(path, seconds=12):
    """A quiet 440 Hz tone as a mono 16-bit WAV: Chromium plays it without any codec."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        frames = (int(3000 * math.sin(2 * math.pi * 440 * n / RATE)) for n in range(RATE * seconds))
        out.writeframes(b"".join(struct.pack("<h", frame) for frame in frames))


@pytest.fixture
def recording_url(live_server, settings, tmp_path):
    """A WAV served by the live server itself, from a static folder of the test's own."""
    folder = tmp_path / "static"
    folder.mkdir()
    write_tone(folder / "provenance-test-tone.wav")
    settings.STATICFILES_DIRS = [str(folder)]
    finders.get_finder.cache_clear()
    yield f"{live_server.url}/static/provenance-test-tone.wav"
    finders.get_finder.cache_clear()


def timed_report(recording_url):
    report = make_report("A timed report", media_url=recording_url)
    make_segment(report, kind="intro", text="The studio intro.", start_seconds=0)
    make_segment(report, kind="soundbite", speaker=make_speaker("Kiril Kaem"),
                 text="We want investors.", start_seconds=7.5)  # fmt: skip
    return report


def test_a_time_link_plays_the_recording_from_that_time(live_server, page, recording_url):
    report = timed_report(recording_url)
    page.goto(live_server.url + report.get_absolute_url())
    player = page.locator("audio#recording")
    assert player.count() == 1
    assert page.evaluate("document.getElementById('recording').paused")

    page.locator("#segment-2 a.timecode").click()

    page.wait_for_function(
        "() => { const p = document.getElementById('recording');"
        " return !p.paused && p.currentTime >= 7.5; }"
    )
    assert page.evaluate("document.getElementById('recording').currentTime") < 11


def test_without_javascript_the_link_is_the_recording_with_its_time_fragment(
    live_server, browser, recording_url
):
    report = timed_report(recording_url)
    make_segment(report, kind="narration", text="An untimed line.")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + report.get_absolute_url())
        links = page.locator("a.timecode")
        hrefs = [links.nth(index).get_attribute("href") for index in range(links.count())]
        # Every timed segment, and only those, links to the recording at its start.
        assert hrefs == [f"{recording_url}#t=0", f"{recording_url}#t=7.5"]
        assert page.locator("#segment-3 a.timecode").count() == 0
        response = context.request.get(hrefs[1])
        assert response.status == 200
        assert response.headers["content-type"] in ("audio/wav", "audio/x-wav")

        # A plain link: following it opens the recording at that time, no script needed.
        page.locator("#segment-2 a.timecode").click()
        page.wait_for_url(f"{recording_url}#t=7.5")
    finally:
        context.close()
