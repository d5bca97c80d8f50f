from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from archive.models import Organization, Report
from archive.views import BoundedPaginator, ReportFilters, filter_choices

from .factories import make_organization, make_report, make_segment

pytestmark = pytest.mark.django_db


def test_report_list_shows_the_seed(client, seed_report):
    response = client.get(reverse("archive:report_list"))
    assert response.status_code == 200
    assert seed_report.title in response.text


def test_report_detail_shows_segments_in_order(client, seed_report):
    response = client.get(seed_report.get_absolute_url())
    assert response.status_code == 200
    html = response.text
    positions = [html.index(f'id="segment-{n}"') for n in range(1, 12)]
    assert positions == sorted(positions)
    assert "SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION" in html
    assert "Kiril Kaem" in html


@pytest.mark.parametrize(
    "status, published_at",
    [
        (Report.Status.DRAFT, None),
        (Report.Status.REVIEW, None),
        (Report.Status.PUBLISHED, timezone.now() + timedelta(days=1)),
    ],
    ids=["draft", "review", "scheduled"],
)
def test_unpublished_report_is_neither_listed_nor_served(client, status, published_at):
    hidden = make_report("Hidden report", status=status, published_at=published_at)
    make_segment(hidden, text="Secret words.")
    assert "Hidden report" not in client.get(reverse("archive:report_list")).text
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_withdrawn_report_answers_gone_with_its_notice(client):
    report = make_report(
        "Retracted story",
        status=Report.Status.WITHDRAWN,
        withdrawal_reason="The interview was <b>misattributed</b>.",
    )
    response = client.get(report.get_absolute_url())
    assert response.status_code == 410
    assert "The interview was &lt;b&gt;misattributed&lt;/b&gt;." in response.text


def test_unknown_report_is_not_found(client):
    assert client.get("/reports/no-such-report/").status_code == 404


def test_narration_names_its_speaker_only_when_the_voice_changes(client, seed_report):
    html = client.get(seed_report.get_absolute_url()).text
    # Six narration paragraphs and the sign-off are all Aljosa Milenkovic's.
    assert html.count('<p class="speaker">') == 1


def test_outlet_choices_are_the_outlets_of_public_reports_only():

    aired, hidden_only = make_organization("Aired"), make_organization("Drafts only")
    make_organization("Not an outlet")
    make_report(outlet=aired)
    make_report(outlet=aired)
    make_report(outlet=hidden_only, status="draft")
    choices = filter_choices(ReportFilters())
    assert [outlet.name for outlet in choices["outlets"]] == ["Aired"]
    assert Organization.objects.count() == 3


def test_outlet_choices_cost_one_query_whatever_the_number_of_organizations(
    django_assert_num_queries,
):

    for n in range(3):
        make_report(outlet=make_organization(f"Outlet {n}"))
    Organization.objects.bulk_create(
        Organization(name=f"Org {n}", slug=f"org-{n}") for n in range(300)
    )
    choices = filter_choices(ReportFilters())
    with django_assert_num_queries(1):
        outlets = list(choices["outlets"])
    assert [outlet.name for outlet in outlets] == ["Outlet 0", "Outlet 1", "Outlet 2"]


def test_lists_count_and_serve_at_most_their_cap_of_pages(client, monkeypatch):

    monkeypatch.setattr(BoundedPaginator, "MAX_PAGES", 2)
    for n in range(45):
        make_report(f"Report {n:02}")
    page = client.get("/reports/", {"page": 9})
    assert page.context["page_obj"].number == 2  # the nearest page served
    assert page.context["paginator"].num_pages == 2
    assert "More than 40 reports" in page.text
    assert "More than" not in client.get("/reports/", {"year": "1999"}).text
