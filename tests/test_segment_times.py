"""The database refuses segment times that go back as positions go on (archive/segment_times.py),
while reordering and rebuilding a report, in several statements, still work."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from archive import curation
from archive.models import Segment

from .desk import form_data
from .factories import make_report, make_segment
from .test_importer import run

pytestmark = pytest.mark.django_db


def check_now():
    """PostgreSQL checks at commit; a test's transaction never commits, so ask it now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS archive_segment_time_order IMMEDIATE")


def raw(sql, params):
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        check_now()


@pytest.fixture
def timed_report():
    report = make_report("Timed report")
    for position, start in enumerate([0, 10, None, 20], start=1):
        make_segment(report, text=f"Part {position}.", position=position, start_seconds=start)
    return report


def times(report):
    return list(report.segments.order_by("position").values_list("text", "start_seconds"))


def test_a_raw_insert_out_of_order_is_refused(timed_report):
    before = times(timed_report)
    with pytest.raises(IntegrityError, match="segment times must grow with position"):
        raw(
            "INSERT INTO archive_segment (report_id, position, kind, speaker_title, text,"
            " start_seconds, speaker_basis, needs_review) VALUES (%s, 5, 'narration', '',"
            " 'Late.', 15, '', false)",
            [timed_report.pk],
        )
    assert times(timed_report) == before


@pytest.mark.parametrize(
    "change",
    ["start_seconds = 30 WHERE position = 2", "position = 3 WHERE position = 1"],
    ids=["a time", "a position"],
)
def test_a_raw_update_out_of_order_is_refused(timed_report, change):
    if change.startswith("position"):
        timed_report.segments.filter(start_seconds=None).delete()  # frees position 3
    before = times(timed_report)
    with pytest.raises(IntegrityError, match="segment times must grow with position"):
        raw(f"UPDATE archive_segment SET {change} AND report_id = %s", [timed_report.pk])
    assert times(timed_report) == before


def test_times_in_order_and_unknown_times_are_taken(timed_report):
    raw(
        "UPDATE archive_segment SET start_seconds = 15 WHERE position = 3 AND report_id = %s",
        [timed_report.pk],
    )
    raw(
        "UPDATE archive_segment SET start_seconds = NULL WHERE position = 2 AND report_id = %s",
        [timed_report.pk],
    )
    assert [start for _text, start in times(timed_report)] == [0, None, 15, 20]


def test_another_reports_times_do_not_count(timed_report):
    other = make_report("Another report")
    make_segment(other, text="Early.", position=1, start_seconds=5)
    make_segment(other, text="Later.", position=2, start_seconds=6)
    check_now()


def test_moving_segments_out_of_the_way_and_back_is_allowed(timed_report):
    with transaction.atomic():
        curation.make_room(timed_report.pk)
        curation.renumber(timed_report.pk)
        check_now()
    assert [start for _text, start in times(timed_report)] == [0, 10, None, 20]


def test_the_desk_reorders_and_inserts_segments_between_timed_ones(admin_client, timed_report):
    url = reverse("admin:archive_report_change", args=[timed_report.pk])
    data = form_data(admin_client.get(url))
    # The untimed third part moves first; a new part goes in between the first two.
    data.update({f"segments-{index}-order": str(order) for index, order in
                 enumerate([10, 30, 5, 40])})  # fmt: skip
    new = int(data["segments-TOTAL_FORMS"])
    data.update({f"segments-{new}-{field}": value for field, value in
                 {"order": "20", "kind": "narration", "text": "Inserted.",
                  "start_seconds": "5"}.items()})  # fmt: skip
    data["segments-TOTAL_FORMS"] = str(new + 1)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert times(timed_report) == [
        ("Part 3.", None),
        ("Part 1.", 0),
        ("Inserted.", 5),
        ("Part 2.", 10),
        ("Part 4.", 20),
    ]


def test_the_importer_rebuilds_a_timed_report_with_more_segments(tmp_path):
    path = tmp_path / "timed.txt"
    head = "A timed report\n[]\n"
    path.write_text(head + "[0:00:00] Intro.\n[0:00:30] Later.\n", encoding="utf-8")
    run(path)
    path.write_text(
        head + "[0:00:00] Intro.\n[0:00:10] Inserted.\n[0:00:20] Also.\n[0:00:30] Later.\n",
        encoding="utf-8",
    )
    _out, err, error = run(path, replace=True)
    assert error is None, err
    check_now()
    assert list(Segment.objects.order_by("position").values_list("start_seconds", flat=True)) == [
        0,
        10,
        20,
        30,
    ]
