"""The desk home (the admin index): the day's work, each a capped count and a link."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from archive.admin.home import sections
from archive.models import PendingChange, Quote, Report, Segment, Speaker
from tests.desk import client_for, form_data, make_user

pytestmark = pytest.mark.django_db


def the_day(count, *, contributor, editor):
    """``count`` reports of each kind the home counts, and some it must not count."""
    now = timezone.now()
    speaker = Speaker.objects.create(name="Ada Reporter")
    kinds = {
        "draft": {"status": "draft", "created_by": contributor},
        "others_draft": {"status": "draft", "created_by": editor},
        "review": {"status": "review", "review_note": "Check names", "review_note_by": contributor},
        "scheduled": {"status": "published", "published_at": now + timedelta(days=1)},
        "recent": {"status": "published", "published_at": now - timedelta(days=1)},
        "old": {"status": "published", "published_at": now - timedelta(days=30)},
        "sent_back": {"status": "draft", "review_note": "Fix the <b>title</b>",
                      "review_note_by": editor, "review_note_to": contributor},
    }  # fmt: skip
    reports = Report.objects.bulk_create(
        Report(title=f"{kind} {n}", slug=f"{kind.replace('_', '-')}-{n}", **fields)
        for kind, fields in kinds.items()
        for n in range(count)
    )
    olds = [report for report in reports if report.title.startswith("old")]
    segments = Segment.objects.bulk_create(
        Segment(
            report=report, position=1, text="Said on air.", speaker=speaker, needs_review=n % 2 == 0
        )
        for n, report in enumerate(olds)
    )
    Quote.objects.bulk_create(
        Quote(segment=segment, speaker=speaker, text="Said on air.", matches_source=n % 2 == 1)
        for n, segment in enumerate(segments)
    )
    recent = [report for report in reports if report.title.startswith("recent")]
    PendingChange.objects.bulk_create(
        PendingChange(report=report, author=contributor, base=[], data=[]) for report in recent
    )
    return reports


def shown(response):
    """{section title: (count shown, link)} of the home page."""
    page = response.content.decode()
    section = r'data-section="([^"]+)">\s*<h2>[^<]*</h2>\s*'
    found = re.findall(section + r'<p><a class="desk-count" href="([^"]+)">([^<]+)</a>', page)
    return {title: (count, link.replace("&amp;", "&")) for title, link, count in found}


@pytest.fixture
def people():
    return {"contributor": make_user("contributor"), "editor": make_user("editor")}


def test_the_home_counts_the_days_work_and_links_to_the_same_reports(client, people):
    the_day(4, **people)
    for role, expected in {
        "contributor": {"My drafts": "4", "Sent back to me": "4", "My pending changes": "4"},
        "editor": {
            "My drafts": "4",
            "Sent back to me": "0",
            "Awaiting review": "4",
            "Pending changes": "4",
        },  # fmt: skip
    }.items():
        client.force_login(people[role])
        home = shown(client.get(reverse("admin:index")))
        assert {title: home[title][0] for title in expected} == expected
        if role == "contributor":
            assert "Awaiting review" not in home and "Pending changes" not in home
        assert home["Scheduled"][0] == home["Recently published"][0] == "4"
        assert home["Quotes that no longer match"][0] == home["Segments that need review"][0] == "2"
        for title, (count, link) in home.items():
            changelist = client.get(link)
            assert (
                changelist.status_code == 200 and "?e=" not in changelist.url
                if hasattr(changelist, "url")
                else True
            )
            assert changelist.context["cl"].result_count == int(count), title


def test_the_home_lists_scheduled_times_and_the_notes_sent_back(client, people):
    the_day(1, **people)
    page = client_for(client, people["contributor"]).get(reverse("admin:index")).content.decode()
    assert "Fix the &lt;b&gt;title&lt;/b&gt;" in page and "<b>title</b>" not in page
    assert "— editor" in page
    assert re.search(r"scheduled 0</a>\s*— goes live", page)


@pytest.mark.parametrize("count", [2, 40])
def test_the_home_costs_the_same_queries_however_many_reports(
    client, people, count, django_assert_num_queries
):
    the_day(count, **people)
    client.force_login(people["editor"])
    client.get(reverse("admin:index"))  # warm the content-type cache
    # Session and user (2), permissions (2), eight capped counts and three short lists
    # (11), the stock "Recent actions" (1).
    with django_assert_num_queries(16):
        client.get(reverse("admin:index"))


def test_counts_stop_at_the_cap(client, people, monkeypatch):
    monkeypatch.setattr(sections, "CAP", 3)
    the_day(5, **people)
    home = shown(client_for(client, people["editor"]).get(reverse("admin:index")))
    assert home["Awaiting review"][0] == "3+"
    assert home["Segments that need review"][0] == "3"


def test_a_draft_never_shows_on_the_public_site_from_the_home(client, people):
    the_day(1, **people)
    assert client.get(reverse("admin:index")).status_code == 302  # the home is the desk's
    assert client.get(Report.objects.get(slug="draft-0").get_absolute_url()).status_code == 404


def test_a_report_added_at_the_desk_is_its_makers_draft(client):
    contributor = make_user("contributor")
    client = client_for(client, contributor)
    data = form_data(client.get(reverse("admin:archive_report_add")))
    data.update({"title": "Made by hand", "slug": "made-by-hand", "status": "draft"})
    response = client.post(reverse("admin:archive_report_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Report.objects.get(slug="made-by-hand").created_by == contributor
    assert shown(client.get(reverse("admin:index")))["My drafts"][0] == "1"


def test_staff_who_may_not_see_reports_see_no_counts(client, people):
    the_day(1, **people)
    outsider = get_user_model().objects.create_user("outsider", is_staff=True)
    page = client_for(client, outsider).get(reverse("admin:index")).content.decode()
    assert shown_sections(page) == [] and "Import transcripts" not in page


def shown_sections(page):
    return re.findall(r'data-section="([^"]+)"', page)
