import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.models import Report
from archive.transcripts import parse, parse_bytes
from tests.test_importer import EXAMPLES, SEED, run

pytestmark = pytest.mark.django_db


def export(slug):
    out = io.StringIO()
    call_command("export_transcript", slug, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("path", [SEED, *EXAMPLES], ids=lambda p: p.stem)
def test_an_imported_report_exports_to_a_transcript_that_parses_back_the_same(path):
    run(path)

    exported = export(path.stem)

    assert parse(exported) == parse_bytes(path.read_bytes())


def test_the_fixture_report_exports_to_its_own_transcript(seed_report):
    again = parse(export(seed_report.slug))

    assert again == parse_bytes(SEED.read_bytes())
    assert [s.speaker_title for s in again.segments][4] == "SKOLKOVO"


def test_an_exported_transcript_imports_as_the_same_report(tmp_path):
    run(EXAMPLES[3])
    original = Report.objects.get()
    exported = tmp_path / "copy.txt"
    exported.write_text(export(original.slug), encoding="utf-8")

    run(exported)

    copy = Report.objects.get(slug="copy")
    fields = ("kind", "speaker__slug", "speaker_title", "text")
    assert list(copy.segments.values_list(*fields)) == list(original.segments.values_list(*fields))
    assert (copy.title, copy.correspondent, copy.outlet, copy.dateline, copy.duration) == (
        original.title,
        original.correspondent,
        original.outlet,
        original.dateline,
        original.duration,
    )
    assert list(copy.topics.all()) == list(original.topics.all())


def test_an_unknown_slug_is_a_one_line_error():
    with pytest.raises(CommandError, match=r"^no report with the slug 'nothing-here'$"):
        call_command("export_transcript", "nothing-here")


def test_export_prints_drafts_too_for_editors():
    run(SEED)
    assert Report.objects.get().status == Report.Status.DRAFT

    assert export(SEED.stem).startswith("China-Russia Hi-Tech Center")


def test_examples_are_present():
    assert len(EXAMPLES) == 5 and all(Path(p).exists() for p in EXAMPLES)
