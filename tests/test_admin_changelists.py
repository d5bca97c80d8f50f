"""Every changelist of the desk costs the same queries for a few rows as for many.

The report and quote changelists have their own pinned tests (test_admin.py,
test_desk_daily.py); these are the others, each filled by the factories with rows
that carry everything its columns show (a speaker's organization, a segment's
report and speaker, a programme's outlet).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    make_correction,
    make_organization,
    make_programme,
    make_segment,
    make_speaker,
    make_topic,
)


def _heard_speakers(n):
    for _ in range(n):
        make_segment(speaker=make_speaker(organization=make_organization()))


def _organizations(n):
    for _ in range(n):
        make_speaker(organization=make_organization())


def _topics(n):
    for _ in range(n):
        make_topic()


def _programmes(n):
    for _ in range(n):
        make_programme(outlet=make_organization())


def _corrections(n):
    for _ in range(n):
        make_correction()


CHANGELISTS = {
    "segment": _heard_speakers,
    "speaker": _heard_speakers,
    "organization": _organizations,
    "topic": _topics,
    "programme": _programmes,
    "correction": _corrections,
}


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", list(CHANGELISTS))
def test_a_changelist_costs_the_same_queries_for_2_and_30_rows(admin_client, model):
    url = f"/admin/archive/{model}/"
    CHANGELISTS[model](2)
    admin_client.get(url)  # warm the session and the content types
    few = queries_of(admin_client, url)
    CHANGELISTS[model](28)
    many = queries_of(admin_client, url)
    assert (few, many) == (few, few) and few <= 12, (few, many)
