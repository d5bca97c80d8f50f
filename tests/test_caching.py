"""The public page cache (archive/caching.py): a write or a passing publication
time shows on the very next request, however the write was made.

These tests commit for real (``transaction=True``), as a server does: inside
an open transaction the cache stands aside, and PostgreSQL bumps the change
counter only at commit.
"""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive import caching
from archive.models import Report, Segment
from tests.desk import make_user
from tests.factories import make_quote, make_report, make_segment
from tests.test_public import QUERY_PAGES, make_full_report

pytestmark = pytest.mark.django_db(transaction=True)


def served_from_cache(client, url, django_assert_num_queries):
    """GET ``url`` twice; the second answer must cost only the counter query."""
    first = client.get(url)
    with django_assert_num_queries(1):
        second = client.get(url)
    assert second.status_code == first.status_code == 200
    assert second.content == first.content
    return second


@pytest.mark.parametrize("page", list(QUERY_PAGES))
def test_every_public_page_costs_one_query_when_cached(client, django_assert_num_queries, page):
    report, quote = make_full_report("Cached")
    url_for, uncached = QUERY_PAGES[page]
    url = url_for(report, quote)
    # Cold: the counter query, then the page's own queries.
    with django_assert_num_queries(uncached + 1):
        cold = client.get(url)
    with django_assert_num_queries(1):
        warm = client.get(url)
    assert warm.status_code == cold.status_code == 200
    assert warm.content == cold.content
    assert warm["Content-Type"] == cold["Content-Type"]
    assert warm.get("Content-Disposition") == cold.get("Content-Disposition")
    assert not warm.cookies


def test_publishing_shows_on_the_next_request(client, django_assert_num_queries):
    make_report("Already out")
    draft = make_report("Fresh news", status=Report.Status.DRAFT)
    url = reverse("archive:report_list")
    assert "Fresh news" not in served_from_cache(client, url, django_assert_num_queries).text
    draft.status = Report.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(minutes=1)
    draft.save()
    assert "Fresh news" in client.get(url).text


def test_editing_a_segment_shows_on_the_next_request(client, django_assert_num_queries):
    segment = make_segment(make_report(), text="The first wording.")
    url = segment.report.get_absolute_url()
    assert "The first wording." in served_from_cache(client, url, django_assert_num_queries).text
    segment.text = "The corrected wording."
    segment.save()
    html = client.get(url).text
    assert "The corrected wording." in html and "The first wording." not in html


def test_withdrawing_answers_410_on_the_next_request(client, django_assert_num_queries):
    report = make_report("Soon gone")
    served_from_cache(client, report.get_absolute_url(), django_assert_num_queries)
    served_from_cache(client, reverse("archive:report_list"), django_assert_num_queries)
    report.status = Report.Status.WITHDRAWN
    report.withdrawal_reason = "Sources retracted."
    report.save()
    assert client.get(report.get_absolute_url()).status_code == 410
    assert "Soon gone" not in client.get(reverse("archive:report_list")).text


def test_deleting_shows_on_the_next_request(client, django_assert_num_queries):
    quote = make_quote(text="Words spoken on air.")
    url = reverse("archive:quote_list")
    assert "Words spoken on air." in served_from_cache(client, url, django_assert_num_queries).text
    quote.delete()
    assert "Words spoken on air." not in client.get(url).text


def test_a_raw_sql_update_shows_on_the_next_request(client, django_assert_num_queries):
    segment = make_segment(make_report(), text="Before the raw update.")
    url = segment.report.get_absolute_url()
    served_from_cache(client, url, django_assert_num_queries)
    with connection.cursor() as cursor:  # no ORM, no signal: only the database knows
        cursor.execute(
            "UPDATE archive_segment SET text = %s WHERE id = %s",
            ["After the raw update.", segment.pk],
        )
    assert "After the raw update." in client.get(url).text


def test_bulk_create_shows_on_the_next_request(client, django_assert_num_queries):
    report = make_report()
    url = report.get_absolute_url()
    served_from_cache(client, url, django_assert_num_queries)
    Segment.objects.bulk_create(
        [Segment(report=report, position=n, text=f"Bulk paragraph {n}.") for n in (1, 2)]
    )
    html = client.get(url).text
    assert "Bulk paragraph 1." in html and "Bulk paragraph 2." in html


def test_a_rolled_back_write_keeps_the_cached_page(client, django_assert_num_queries):
    report = make_report("Stays as it was")
    url = report.get_absolute_url()
    served_from_cache(client, url, django_assert_num_queries)
    with pytest.raises(RuntimeError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(title="Never committed")
        raise RuntimeError
    with django_assert_num_queries(1):
        assert "Stays as it was" in client.get(url).text


def test_a_scheduled_report_appears_when_its_time_passes_with_no_write(
    client, django_assert_num_queries
):
    make_report("Already out")
    start = timezone.now()
    make_report("Embargoed", published_at=start + timedelta(hours=1))
    url = reverse("archive:report_list")
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=59)):
        assert "Embargoed" not in served_from_cache(client, url, django_assert_num_queries).text
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=61)):
        assert "Embargoed" in client.get(url).text


def test_a_page_rendered_as_a_scheduled_time_passes_is_not_cached(
    client, django_assert_num_queries
):
    make_report("Already out")
    start = timezone.now()
    make_report("Embargoed", published_at=start + timedelta(hours=1))
    # The clock passes the embargo between reading the counter and rendering.
    clock = iter([start + timedelta(minutes=59, seconds=59)] + [start + timedelta(hours=2)] * 50)
    with mock.patch("django.utils.timezone.now", side_effect=lambda: next(clock)):
        client.get(reverse("archive:report_list"))
    before = start + timedelta(minutes=59)
    with (
        mock.patch("django.utils.timezone.now", return_value=before),
        django_assert_num_queries(6),  # rendered again, not served from the cache
    ):
        assert "Embargoed" not in client.get(reverse("archive:report_list")).text


def test_a_draft_never_appears_through_the_cache(client, django_assert_num_queries):
    make_report("Public one")
    url = reverse("archive:report_list")
    served_from_cache(client, url, django_assert_num_queries)
    make_report("Secret draft", status=Report.Status.DRAFT)
    make_report("Secret review", status=Report.Status.REVIEW)
    html = served_from_cache(client, url, django_assert_num_queries).text
    assert "Public one" in html and "Secret" not in html


def test_signed_in_staff_are_never_served_or_stored_in_the_cache(client, django_assert_num_queries):
    report = make_report("Shared page")
    url = report.get_absolute_url()
    client.force_login(make_user("editor"))
    client.get(url)
    staff_page = client.get(url)
    assert staff_page.status_code == 200
    client.logout()
    # The anonymous reader's first request is rendered, not taken from the staff's.
    with django_assert_num_queries(5):  # the counter, the report, topics, corrections, segments
        client.get(url)
    with django_assert_num_queries(1):
        client.get(url)


def test_not_found_is_not_cached(client, django_assert_num_queries):
    url = reverse("archive:report_detail", kwargs={"slug": "no-such-report"})
    assert client.get(url).status_code == 404
    with django_assert_num_queries(3):  # counter, the report, the withdrawn check
        assert client.get(url).status_code == 404


def test_only_get_is_cached(client, django_assert_num_queries):
    make_report()
    url = reverse("archive:report_list")
    client.head(url)
    with django_assert_num_queries(6):
        client.get(url)


def test_the_counter_triggers_come_back_after_a_migration_rebuilds_a_table(client):
    report = make_report("Before")
    caching.uninstall_triggers(connection)  # what a SQLite table rebuild does to them
    caching.ensure_triggers_after_migrate(sender=None, using="default")
    client.get(report.get_absolute_url())
    Report.objects.filter(pk=report.pk).update(title="After")
    assert "After" in client.get(report.get_absolute_url()).text


def test_a_flushed_counter_turns_the_cache_off_until_the_next_write(
    client, django_assert_num_queries
):
    report = make_report("Before")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {caching.COUNTER_TABLE}")
    client.get(report.get_absolute_url())
    with django_assert_num_queries(5):  # the counter, then the page: nothing cached
        client.get(report.get_absolute_url())
    Report.objects.filter(pk=report.pk).update(title="After")
    served_from_cache(client, report.get_absolute_url(), django_assert_num_queries)


def test_inside_an_open_transaction_nothing_is_cached(client, django_assert_num_queries):
    report = make_report()
    with transaction.atomic():
        client.get(report.get_absolute_url())
        with django_assert_num_queries(4):  # no counter query, no cached page
            client.get(report.get_absolute_url())


# --- a save empties only the pages it could change -----------------------------------


def cached_twice(client, url, django_assert_num_queries):
    """Whether ``url`` is served from the cache (one query) right now."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries) == 1


def test_saving_one_report_keeps_every_other_report_page_cached(client, django_assert_num_queries):
    saved, other = make_report("Saved"), make_report("Untouched")
    make_segment(other, text="Other words.")
    for report in (saved, other):
        served_from_cache(client, report.get_absolute_url(), django_assert_num_queries)
    saved.title = "Saved again"
    saved.save()
    assert "Saved again" in client.get(saved.get_absolute_url()).text
    with django_assert_num_queries(1):
        assert client.get(other.get_absolute_url()).status_code == 200
    assert "Saved again" in client.get(reverse("archive:report_list")).text


def test_editing_a_segment_keeps_the_report_lists_cached(client, django_assert_num_queries):
    segment = make_segment(make_report("Listed"), text="The first wording.")
    lists = reverse("archive:report_list")
    served_from_cache(client, lists, django_assert_num_queries)
    served_from_cache(client, reverse("archive:quote_list"), django_assert_num_queries)
    segment.text = "The corrected wording."
    segment.save()
    with django_assert_num_queries(1):  # the list shows titles, not segment text
        client.get(lists)
    assert "The corrected wording." in client.get(segment.report.get_absolute_url()).text
    assert not cached_twice(client, reverse("archive:quote_list"), django_assert_num_queries)


def test_editing_a_quote_empties_its_reports_pages(client, django_assert_num_queries):
    quote = make_quote(text="Words spoken on air.")
    urls = [quote.get_absolute_url(), quote.segment.report.get_absolute_url()]
    for url in urls:
        served_from_cache(client, url, django_assert_num_queries)
    quote.text = "Words spoken"
    quote.save()
    for url in urls:
        html = client.get(url).text
        assert "Words spoken on air." not in html and "Words spoken" in html


def test_a_draft_saved_again_and_again_empties_nothing(client, django_assert_num_queries):
    public = make_report("Public one")
    urls = [reverse("archive:report_list"), public.get_absolute_url(), reverse("archive:home")]
    for url in urls:
        served_from_cache(client, url, django_assert_num_queries)
    draft = make_report("Work in progress", status=Report.Status.DRAFT)
    make_segment(draft, text="Unpublished words.")
    draft.title = "Still in progress"
    draft.save()
    for url in urls:
        with django_assert_num_queries(1):
            client.get(url)


def test_a_save_that_changes_nothing_empties_nothing(client, django_assert_num_queries):
    segment = make_segment(make_report("Same"), text="Same words.")
    url = segment.report.get_absolute_url()
    served_from_cache(client, url, django_assert_num_queries)
    Segment.objects.filter(pk=segment.pk).update(text="Same words.")
    with django_assert_num_queries(1):
        client.get(url)


def test_renaming_a_speaker_empties_every_page_that_names_them(client, django_assert_num_queries):
    quote = make_quote(text="Words spoken on air.")
    url = quote.segment.report.get_absolute_url()
    served_from_cache(client, url, django_assert_num_queries)
    quote.speaker.name = "A New Name"
    quote.speaker.save()
    assert "A New Name" in client.get(url).text


def test_unpublishing_empties_the_pages_that_showed_the_report(client, django_assert_num_queries):
    report = make_report("Taken down")
    urls = [reverse("archive:report_list"), reverse("archive:home")]
    for url in [report.get_absolute_url(), *urls]:
        served_from_cache(client, url, django_assert_num_queries)
    report.status = Report.Status.DRAFT
    report.save()
    assert client.get(report.get_absolute_url()).status_code == 404
    for url in urls:
        assert "Taken down" not in client.get(url).text


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL's planner rightly scans a table this small; bench-scale measures it",
)
def test_the_key_reads_no_table_through(client):
    for n in range(30):
        make_report(f"Scheduled {n}", published_at=timezone.now() + timedelta(days=n + 1))
    scopes = caching.page_scopes(client.get("/").wsgi_request, {})
    with CaptureQueriesContext(connection) as queries:
        counters, next_publication, _ = caching.data_version(timezone.now(), scopes)
    with connection.cursor() as explain:
        explain.execute(f"EXPLAIN QUERY PLAN {queries[0]['sql']}")
        plan = " ".join(str(row[-1]) for row in explain.fetchall())
    assert "SCAN archive_" not in plan, plan  # every table is searched by an index
    assert [name for name, _ in counters] == ["all", "reports", "text"]
    assert next_publication == Report.objects.scheduled().order_by("published_at")[0].published_at
