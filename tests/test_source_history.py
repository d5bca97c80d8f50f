"""Source and history an editor can trust.

The imported source is never rewritten by the desk, each import is an "as
imported" revision, compares show names and seconds, a revert is a revision.
"""

import hashlib
import math
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from archive import history
from archive.importer import import_transcripts
from archive.models import Correction, Quote, Report, Segment
from tests.desk import client_for, form_data, make_user

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
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # reports, their topics, segments, quotes, corrections: whatever the number of files
    assert len(reads) == 5
    # one INSERT of the revisions, then one executemany a slice of versions
    versions = Version.objects.filter(revision__in=revisions).count()
    batches = math.ceil(versions / history.VERSION_BATCH)
    assert len(queries.captured_queries) - len(reads) == 1 + batches
    assert Version.objects.filter(revision__in=revisions, content_type__model="quote").count() == (
        Quote.objects.count()
    )
