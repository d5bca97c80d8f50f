"""Open data: the data package validates, re-imports to the same counts, leaks nothing."""

import csv
import hashlib
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from frictionless import Package, validate

from archive.exports.tables import TABLES
from archive.exports.writer import spreadsheet_safe, write_dataset
from archive.models import Quote, Report, Segment, Speaker, Topic

from .factories import make_quote, make_report, make_segment, make_speaker
from .test_public import HIDDEN_STATES, MARKER, make_full_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive_with_hidden():
    public, quote = make_full_report("Visible")
    make_full_report("Kivelä Иванова")
    for state, fields in HIDDEN_STATES.items():
        make_full_report(f"{MARKER}{state}", **fields)
    return public, quote


def test_the_package_validates_with_frictionless(tmp_path, archive_with_hidden):
    call_command("export_dataset", str(tmp_path / "data"), verbosity=0)
    report = validate(str(tmp_path / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_csvs_reimport_to_the_public_counts(tmp_path, archive_with_hidden):
    write_dataset(tmp_path / "data")
    package = Package(str(tmp_path / "data" / "datapackage.json"))
    counts = {name: len(package.get_resource(name).read_rows()) for name in ("reports", "quotes")}
    expected = {
        "reports": Report.objects.public().count(),
        "quotes": Quote.objects.public().count(),
    }
    assert counts == expected == {"reports": 2, "quotes": 2}
    segments = package.get_resource("segments").read_rows()
    assert len(segments) == Segment.objects.public().count() == 4
    assert {row["slug"] for row in package.get_resource("speakers").read_rows()} == set(
        Speaker.objects.public().values_list("slug", flat=True)
    )
    assert len(package.get_resource("topics").read_rows()) == Topic.objects.public().count()


def test_nothing_hidden_is_exported(tmp_path, archive_with_hidden):
    write_dataset(tmp_path / "data")
    for path in (tmp_path / "data").iterdir():
        assert MARKER not in path.read_text().lower(), path.name


def test_every_file_is_checksummed_and_dictionary_describes_every_field(tmp_path):
    make_quote()
    package = write_dataset(tmp_path / "data")
    assert package["licenses"][0]["name"] and package["created"]
    for resource in package["resources"]:
        data = (tmp_path / "data" / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
        for field in resource.get("schema", {}).get("fields", []):
            assert field["description"], (resource["name"], field["name"])
    names = {resource["name"] for resource in package["resources"]}
    for table in ("reports", "segments", "speakers", "appearances", "organizations", "topics"):
        assert {table, f"{table}-jsonl"} <= names
    assert {"quotes", "popolo-persons", "popolo-organizations"} <= names


def test_csv_cells_cannot_run_as_formulas(tmp_path):
    speaker = make_speaker('=HYPERLINK("http://evil")')
    report = make_report("+1 title")
    make_segment(report, text="-2 dollars", speaker=speaker, speaker_title="@SUM(A1)")
    write_dataset(tmp_path / "data")
    with open(tmp_path / "data" / "segments.csv", newline="") as file:
        row = next(csv.DictReader(file))
    assert row["text"] == "'-2 dollars" and row["speaker_title"] == "'@SUM(A1)"
    with open(tmp_path / "data" / "reports.csv", newline="") as file:
        assert next(csv.DictReader(file))["title"] == "'+1 title"
    # JSON Lines keep the text exactly: no spreadsheet reads them.
    line = json.loads((tmp_path / "data" / "segments.jsonl").read_text().splitlines()[0])
    assert line["text"] == "-2 dollars"
    assert spreadsheet_safe("plain") == "plain" and spreadsheet_safe(3) == 3


def test_popolo_files_list_people_and_their_organizations(tmp_path, archive_with_hidden):
    public, quote = archive_with_hidden
    write_dataset(tmp_path / "data", base_url="https://archive.example.org")
    persons = json.loads((tmp_path / "data" / "popolo-persons.json").read_text())
    person = next(p for p in persons if p["id"] == quote.speaker.slug)
    assert person["name"] == quote.speaker.name
    assert (
        person["links"][0]["url"] == f"https://archive.example.org/speakers/{quote.speaker.slug}/"
    )
    organizations = json.loads((tmp_path / "data" / "popolo-organizations.json").read_text())
    assert public.outlet.slug in {org["id"] for org in organizations}


def test_rows_are_read_in_chunks_not_all_at_once(monkeypatch):
    """Memory stays flat: rows come through a server-side iterator, CHUNK at a time."""
    from archive.exports import tables

    chunk_sizes = []
    original = type(Report.objects.all()).iterator

    def spy(self, chunk_size=None):
        chunk_sizes.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(type(Report.objects.all()), "iterator", spy)
    make_report("One")
    list(TABLES[0].rows())
    assert chunk_sizes == [tables.CHUNK]


def test_data_page_serves_the_latest_snapshot(client, settings, tmp_path, archive_with_hidden):
    settings.DATASET_DIR = tmp_path / "data"
    assert "No up-to-date snapshot" in client.get(reverse("archive:data")).text
    write_dataset(settings.DATASET_DIR)
    html = client.get(reverse("archive:data")).text
    assert "reports.csv" in html and "Creative Commons" in html and MARKER not in html.lower()
    response = client.get(reverse("archive:data_file", args=["reports.csv"]))
    assert response.status_code == 200
    assert b"Visible report title" in b"".join(response.streaming_content)
    assert client.get("/data/..%2Fconfig%2Fsettings.py").status_code == 404
    assert client.get(reverse("archive:data_file", args=["nope.csv"])).status_code == 404


@pytest.mark.parametrize("reports", [1, 25])
def test_data_page_costs_one_query(client, settings, tmp_path, django_assert_num_queries, reports):
    for n in range(reports):
        make_full_report(f"Bulk{n}")
    settings.DATASET_DIR = tmp_path / "data"
    write_dataset(settings.DATASET_DIR)
    with django_assert_num_queries(1):  # is any report in the snapshot no longer public?
        assert client.get(reverse("archive:data")).status_code == 200


def test_data_page_withholds_a_snapshot_once_a_report_in_it_is_withdrawn(
    client, settings, tmp_path, archive_with_hidden
):
    public, _ = archive_with_hidden
    settings.DATASET_DIR = tmp_path / "data"
    write_dataset(settings.DATASET_DIR)
    public.status = Report.Status.WITHDRAWN
    public.withdrawal_reason = "Legal"
    public.save()
    assert "No up-to-date snapshot" in client.get(reverse("archive:data")).text
    assert client.get(reverse("archive:data_file", args=["reports.csv"])).status_code == 404


def test_export_dataset_refuses_an_unwritable_directory_in_one_line(tmp_path):
    from django.core.management import CommandError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CommandError) as error:
        call_command("export_dataset", str(blocker / "data"), verbosity=0)
    assert "\n" not in str(error.value)
