"""Source and history an editor can trust.

The imported source is never rewritten by the desk, each import is an "as
imported" revision, compares show names and seconds, a revert is a revision.
"""

import hashlib
import math
from datetime import timedelta
from pathlib import Path

import pytest
import reversion
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from reversion.models import Version

from archive import history
from archive.importer import import_transcripts
from archive.models import Correction, Quote, Report, Segment
from tests.desk import client_for, form_data, make_user, with_time
from tests.factories import (
    make_organization,
    make_programme,
    make_report,
    make_segment,
    make_speaker,
    make_topic,
)

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parent.parent / "fixtures/transcripts"
SEED_FILE = SEED / "skolkovo-china-russia-hi-tech-center.txt"


def change_url(report):
    return f"/admin/archive/report/{report.pk}/change/"


def save(client, report, **changes):
    data = {**form_data(client.get(change_url(report))), **changes}
    response = client.post(change_url(report), data)
    assert response.status_code == 302, response.context["errors"]
    return response


@pytest.fixture
def imported(tmp_path):
    # Ends with a newline, as most files do: the newline the desk used to drop.
    path = tmp_path / SEED_FILE.name
    path.write_bytes(SEED_FILE.read_bytes().rstrip(b"\n") + b"\n")
    import_transcripts([str(path)], workers=0)
    return Report.objects.get(source_name=SEED_FILE.name), path


@pytest.fixture
def editor(client):
    return client_for(client, make_user("editor"))


def test_saving_an_imported_report_unchanged_keeps_its_source_and_checksum(editor, imported):
    report, path = imported
    data = path.read_bytes()
    save(editor, report)
    report.refresh_from_db()
    assert report.source_text.encode("utf-8") == data
    assert hashlib.sha256(report.source_text.encode("utf-8")).hexdigest() == report.source_checksum


def test_the_source_cannot_be_rewritten_through_the_form(editor, imported):
    report, _path = imported
    before = (report.source_name, report.source_text, report.source_checksum)
    page = editor.get(change_url(report))
    assert "source_text" not in page.context["adminform"].form.fields
    save(
        editor,
        report,
        source_name="forged.txt",
        source_text="Forged words.",
        source_checksum="0" * 64,
    )
    report.refresh_from_db()
    assert (report.source_name, report.source_text, report.source_checksum) == before
    assert "CGTN" in page.content.decode()  # the source text is still shown, read-only


def as_imported_revisions(report):
    versions = Version.objects.get_for_object(report).select_related("revision")
    return [v.revision for v in versions if v.revision.comment.startswith("As imported")]


def test_each_import_is_an_as_imported_revision_naming_the_file(imported):
    report, _path = imported
    (revision,) = as_imported_revisions(report)
    assert revision.comment == f"As imported from {SEED_FILE.name}."
    assert revision.user is None
    held = {(v.content_type.model, v.object_id) for v in revision.version_set.all()}
    segments = {("segment", str(pk)) for pk in report.segments.values_list("pk", flat=True)}
    quotes = {("quote", str(pk)) for pk in Quote.objects.values_list("pk", flat=True)}
    assert held == {("report", str(report.pk)), *segments, *quotes}
    assert quotes  # the seed's sound bites are quoted on import
    stored = revision.version_set.get(content_type__model="report").field_dict
    assert stored["source_text"] == report.source_text
    assert sorted(stored["topics"]) == sorted(report.topics.values_list("pk", flat=True))


def test_a_replacing_import_is_another_as_imported_revision_that_reverts_to_it(editor, imported):
    report, path = imported
    first_texts = list(report.segments.values_list("text", flat=True))
    path.write_text(path.read_text().replace("Skolkovo offers", "Skolkovo now offers"))
    import_transcripts([str(path)], replace=True, workers=0)
    older, newer = sorted(as_imported_revisions(report), key=lambda r: r.pk)
    assert newer.comment == f"As imported from {SEED_FILE.name}."
    assert "Skolkovo now offers" in Report.objects.get(pk=report.pk).source_text

    version = older.version_set.get(object_id=report.pk, content_type__model="report")
    url = f"/admin/archive/report/{report.pk}/history/{version.pk}/"
    assert editor.post(url, form_data(editor.get(url))).status_code == 302
    assert list(report.segments.values_list("text", flat=True)) == first_texts


@pytest.mark.parametrize("files", [1, 20])
def test_as_imported_revisions_cost_the_same_queries_for_one_file_and_many(tmp_path, files):
    text = SEED_FILE.read_bytes()
    for n in range(files):
        (tmp_path / f"report-{n}.txt").write_bytes(text.replace(b"Skolkovo", f"Place{n}".encode()))
    assert import_transcripts([str(tmp_path)], workers=0).created == files
    names = dict(Report.objects.values_list("pk", "source_name"))
    ContentType.objects.get_for_models(Report, Segment, Quote, Correction)  # cached, as in a run
    with CaptureQueriesContext(connection) as queries:
        revisions = history.record_as_imported(names)
    assert len(revisions) == files
    reads = [q["sql"] for q in queries.captured_queries if "INSERT INTO" not in q["sql"]]
    # reports, their topics, segments, quotes, corrections (the last three streamed: a
    # server-side cursor on PostgreSQL), whatever the number of files
    assert len(reads) == 5
    # one INSERT of the revisions, then one executemany a slice of versions
    versions = Version.objects.filter(revision__in=revisions).count()
    batches = math.ceil(versions / history.VERSION_BATCH)
    assert len(queries.captured_queries) - len(reads) == 1 + batches
    assert Version.objects.filter(revision__in=revisions, content_type__model="quote").count() == (
        Quote.objects.count()
    )


# --- comparing revisions ---------------------------------------------------------------


@pytest.fixture
def report():
    report = make_report(status="draft", outlet=make_organization("CGTN"))
    report.topics.set([make_topic("Economy"), make_topic("Russia")])
    make_segment(report, text="Narration here.", speaker=make_speaker("Kiril Kaem"))
    return report


def compare(client, report):
    old, new = Version.objects.get_for_object(report).order_by("pk")[:2]
    return client.get(
        f"/admin/archive/report/{report.pk}/history/compare/",
        {"old": old.revision_id, "new": new.revision_id},
    )


def test_compare_shows_topics_speakers_organizations_and_programmes_by_name(editor, report):
    save(editor, report)
    china = make_topic("China")
    bbc, programme = make_organization("BBC <World>"), make_programme("The Hour")
    speaker = make_speaker("Aljosa Milenkovic")
    save(
        editor,
        report,
        topics=[str(pk) for pk in report.topics.values_list("pk", flat=True)] + [str(china.pk)],
        outlet=str(bbc.pk),
        programme=str(programme.pk),
        **{"segments-0-speaker": str(speaker.pk)},
    )
    response = compare(editor, report)
    rows = {(d.field, d.before, d.after) for d in response.context["differences"]}
    assert ("topics", "Economy, Russia", "China, Economy, Russia") in rows
    assert ("outlet", "CGTN", "BBC <World>") in rows
    assert ("programme", None, "The Hour") in rows
    assert ("speaker", "Kiril Kaem", "Aljosa Milenkovic") in rows
    page = response.content.decode()
    assert "BBC &lt;World&gt;" in page and "BBC <World>" not in page


def test_compare_names_a_topic_deleted_since_and_ignores_a_reordering(editor, report):
    save(editor, report)
    gone = make_topic("Gone")
    save(editor, report, topics=[str(gone.pk)])
    gone_pk = gone.pk
    gone.delete()
    rows = {(d.field, d.before, d.after) for d in compare(editor, report).context["differences"]}
    assert ("topics", "Economy, Russia", f"#{gone_pk} (deleted since)") in rows

    assert history._same(Report._meta.get_field("topics"), [10, 9], [9, 10])


def test_compare_shows_times_to_the_second(editor, report):
    save(editor, report)
    at = timezone.now().replace(microsecond=0) + timedelta(days=2, seconds=7)
    save(editor, report, **{"status": "published", **with_time({}, "published_at", at)})
    response = compare(editor, report)
    (row,) = [d for d in response.context["differences"] if d.field == "publication time"]
    assert row.after == date_format(timezone.localtime(at), "j M Y, H:i:s")
    assert row.after.endswith(f":{at.second:02d}")
    new = Version.objects.get_for_object(report).order_by("pk")[1].revision
    saved_at = date_format(timezone.localtime(new.date_created), "j M Y, H:i:s")
    assert saved_at in response.content.decode()
    history_page = editor.get(f"/admin/archive/report/{report.pk}/history/").content.decode()
    assert saved_at in history_page


# --- reverting ---------------------------------------------------------------------------


def test_a_revert_in_the_desk_is_itself_a_revision_holding_what_it_brought_back(editor, report):
    save(editor, report)
    save(editor, report, title="Changed", **{"segments-0-text": "Rewritten."})
    first = Version.objects.get_for_object(report).order_by("pk").first()
    url = f"/admin/archive/report/{report.pk}/history/{first.pk}/"
    assert editor.post(url, form_data(editor.get(url))).status_code == 302

    latest = Version.objects.get_for_object(report).order_by("-pk").first()
    assert latest.revision_id not in {first.revision_id}
    assert Version.objects.get_for_object(report).count() == 3
    assert latest.revision.user.username == "editor"
    assert "Reverted" in latest.revision.comment
    assert latest.field_dict["title"] == report.title
    (segment,) = latest.revision.version_set.filter(content_type__model="segment")
    assert segment.field_dict["text"] == "Narration here."
    assert segment.field_dict["position"] == 1


def test_a_revert_from_the_shell_is_itself_a_revision(report):
    editor = make_user("editor")
    with reversion.create_revision():
        reversion.add_to_revision(report)
    first = Version.objects.get_for_object(report).get()
    Segment.objects.filter(report=report).update(text="Rewritten.")
    history.Revert(first.revision, user=editor).execute()

    latest = Version.objects.get_for_object(report).order_by("-pk").first()
    assert latest.revision_id != first.revision_id
    assert latest.revision.user == editor
    assert latest.revision.comment.startswith("Reverted to the version of ")
    (segment,) = latest.revision.version_set.filter(content_type__model="segment")
    assert segment.field_dict["text"] == "Narration here."
