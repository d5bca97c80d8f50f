"""One identity per person (archive/identity/): aliases on import, merge and its undo,
name matching in the desk, likely duplicates, authority ids and titles over time."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from archive.identity import duplicates, matching, merging
from archive.identity.models import SpeakerAlias, SpeakerMerge
from archive.identity.names import initial_key, is_abbreviated
from archive.models import Quote, Report, Segment, Speaker
from tests.desk import make_user
from tests.factories import make_organization, make_quote, make_report, make_segment, make_speaker

pytestmark = pytest.mark.django_db

TRANSCRIPT = """Warsaw startups court foreign investors
["Technology"]
02:10
Poland's tech scene is growing. CGTN's Oren Falkenrath reports.
The city's incubators are full.
{name}, ANALYST WARSAW TECH FUND "Investors come for the engineers and stay for the market."
Not everyone agrees.
OREN FALKENRATH WARSAW "The money is here; the question is for how long."
Oren Falkenrath, CGTN, Warsaw."""


def run_import(path, **options):
    err = io.StringIO()
    call_command("import_transcripts", str(path), stdout=io.StringIO(), stderr=err, **options)
    return err.getvalue()


def write(path, name, extra=""):
    path.write_text(TRANSCRIPT.format(name=name) + extra, encoding="utf-8")
    return path


def the_bite():
    return Segment.objects.get(kind=Segment.Kind.SOUNDBITE)


def test_a_merged_spelling_stays_with_the_kept_speaker_when_the_file_is_imported_again(tmp_path):
    path = write(tmp_path / "warsaw.txt", "LUKASZ WOJTOWSKI")
    run_import(path)
    duplicate = Speaker.objects.get(name="Lukasz Wojtowski")
    kept = make_speaker("Łukasz Wójtowski")
    merging.merge_speakers(kept, [duplicate])
    assert SpeakerAlias.objects.filter(speaker=kept, name="Lukasz Wojtowski").exists()

    write(path, "LUKASZ WOJTOWSKI", "\nA closing line of narration.")
    run_import(path, replace=True)

    assert not Speaker.objects.filter(name="Lukasz Wojtowski").exists()
    assert the_bite().speaker == kept
    assert set(Quote.objects.values_list("speaker_id", flat=True)) == {kept.pk}


def test_an_alias_that_folds_to_nothing_alike_still_leads_to_the_kept_speaker(tmp_path):
    path = write(tmp_path / "warsaw.txt", "LUKASZ WOJTOWSKY")
    run_import(path)
    kept = make_speaker("Łukasz Wójtowski")
    merging.merge_speakers(kept, [Speaker.objects.get(name="Lukasz Wojtowsky")])
    other = write(tmp_path / "second.txt", "LUKASZ WOJTOWSKY")
    other.write_text(other.read_text(encoding="utf-8").replace("Warsaw startups", "Again"))
    run_import(other)
    assert Segment.objects.filter(speaker=kept, kind="soundbite").count() == 2
    assert not Speaker.objects.filter(name="Lukasz Wojtowsky").exists()


def test_the_importer_matches_names_without_regard_to_accents_or_case_in_any_script(tmp_path):
    kept = make_speaker("Łukasz Wójtowski")
    russian = make_speaker("Анна Иванова")
    run_import(write(tmp_path / "one.txt", "LUKASZ WOJTOWSKI"))
    second = tmp_path / "two.txt"
    second.write_text(
        TRANSCRIPT.format(name="АННА ИВАНОВА").replace("Warsaw startups", "Moscow"),
        encoding="utf-8",
    )
    run_import(second)
    assert Segment.objects.filter(kind="soundbite", speaker=kept).count() == 1
    assert Segment.objects.filter(kind="soundbite", speaker=russian).count() == 1
    assert Speaker.objects.filter(sort_name="lukasz wojtowski").count() == 1
    # The spelling heard is kept as an alias.
    assert SpeakerAlias.objects.filter(speaker=kept, name="Lukasz Wojtowski").exists()


def revision_of(report, root):
    from reversion.models import Version

    from tests.test_permissions import save_report_in_admin

    save_report_in_admin(root, report)
    return Version.objects.get_for_object(report).first().revision


def test_reverting_a_report_to_before_a_merge_attaches_the_kept_speaker_and_says_so(client):
    from archive import history
    from tests.desk import client_for

    editor = make_user("editor")
    duplicate, kept = make_speaker("Lukasz Wojtowski"), make_speaker("Łukasz Wójtowski")
    report = make_report("Warsaw", correspondent=duplicate)
    segment = make_segment(report, speaker=duplicate, kind="soundbite", text="Investors come.")
    quote = make_quote(segment, text="Investors come.")
    revision = revision_of(report, client_for(client, make_user("superuser")))
    merging.merge_speakers(kept, [duplicate])

    revert = history.Revert(revision, user=editor)
    revert.execute()

    segment.refresh_from_db(), quote.refresh_from_db(), report.refresh_from_db()
    assert (segment.speaker, quote.speaker, report.correspondent) == (kept, kept, kept)
    assert revert.notes == [
        "Lukasz Wojtowski was merged into Łukasz Wójtowski since this version: "
        "Łukasz Wójtowski is attached instead."
    ]
