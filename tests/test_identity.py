"""One identity per person (archive/identity/): aliases on import, merge and its undo,
name matching in the desk, likely duplicates, authority ids and titles over time."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from archive.identity import duplicates, merging
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


# -- merge and its undo ------------------------------------------------------


def merged_pair():
    """Łukasz Wójtowski keeps; Lukasz Wojtowski (with a title, an organization, appearances,
    quotes, a filed report and an alias of his own) is merged into him."""
    editor = make_user("editor")
    kept = make_speaker("Łukasz Wójtowski")
    organization = make_organization("Warsaw Tech Fund")
    duplicate = make_speaker(
        "Lukasz Wojtowski", role="Analyst", organization=organization, authority_id="Q42"
    )
    SpeakerAlias.objects.create(speaker=duplicate, name="L. Wojtowski")
    report = make_report("Warsaw", correspondent=duplicate)
    segments = [
        make_segment(report, speaker=duplicate, kind="soundbite", text=f"Bite {n}.",
                     speaker_title="ANALYST WARSAW TECH FUND")
        for n in range(3)
    ]  # fmt: skip
    quotes = [make_quote(segment) for segment in segments]
    own = make_segment(report, speaker=kept, text="The kept speaker's own words.")
    before = {
        "speaker": Speaker.objects.filter(pk=duplicate.pk).values().get(),
        "segments": sorted(Segment.objects.values_list("pk", "speaker_id", "speaker_title")),
        "quotes": sorted(Quote.objects.values_list("pk", "speaker_id")),
        "reports": sorted(Report.objects.values_list("pk", "correspondent_id")),
        "aliases": sorted(SpeakerAlias.objects.values_list("speaker_id", "name")),
    }
    moved = merging.merge_speakers(kept, [kept, duplicate], user=editor)
    return {"editor": editor, "kept": kept, "duplicate": duplicate, "before": before,
            "moved": moved, "segments": segments, "quotes": quotes, "own": own}  # fmt: skip


def state():
    return {
        "segments": sorted(Segment.objects.values_list("pk", "speaker_id", "speaker_title")),
        "quotes": sorted(Quote.objects.values_list("pk", "speaker_id")),
        "reports": sorted(Report.objects.values_list("pk", "correspondent_id")),
        "aliases": sorted(SpeakerAlias.objects.values_list("speaker_id", "name")),
    }


def test_a_merge_is_a_revision_that_records_the_merged_name_as_an_alias():
    merged = merged_pair()
    kept, duplicate = merged["kept"], merged["duplicate"]
    assert merged["moved"] == {"segments": 3, "quotes": 3, "reports": 1, "speakers": 1}
    assert not Speaker.objects.filter(pk=duplicate.pk).exists()
    alias = SpeakerAlias.objects.get(speaker=kept, name="Lukasz Wojtowski")
    assert (alias.merged_speaker_id, alias.merged_slug) == (duplicate.pk, duplicate.slug)
    assert set(kept.aliases.values_list("name", flat=True)) == {"Lukasz Wojtowski", "L. Wojtowski"}
    merge = SpeakerMerge.objects.get()
    assert merge.revision.user == merged["editor"]
    assert merge.revision.comment == "Merged Lukasz Wojtowski into Łukasz Wójtowski"
    assert list(merging.merges_into(kept)) == [merge]


def test_undoing_a_merge_puts_back_the_speaker_and_every_segment_quote_report_and_alias():
    merged = merged_pair()
    merge = SpeakerMerge.objects.get()

    restored = merging.undo_merge(merge, user=merged["editor"])

    assert [s.pk for s in restored] == [merged["duplicate"].pk]
    before = merged["before"]
    assert Speaker.objects.filter(pk=merged["duplicate"].pk).values().get() == before["speaker"]
    assert state() == {key: before[key] for key in state()}
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == merged["editor"]
    assert list(merging.merges_into(merged["kept"])) == []
    with pytest.raises(PermissionDenied, match="undone already"):
        merging.undo_merge(merge, user=merged["editor"])


def test_an_undo_leaves_rows_changed_by_hand_since_the_merge():
    merged = merged_pair()
    someone = make_speaker("Someone Else")
    Segment.objects.filter(pk=merged["segments"][0].pk).update(speaker=someone)
    merging.undo_merge(SpeakerMerge.objects.get(), user=merged["editor"])
    assert Segment.objects.get(pk=merged["segments"][0].pk).speaker == someone
    assert Segment.objects.get(pk=merged["segments"][1].pk).speaker_id == merged["duplicate"].pk


def test_a_merge_into_a_speaker_merged_away_since_is_undone_after_that_one():
    merged = merged_pair()
    later = make_speaker("Lukasz Wojtowski-Nowak")
    merging.merge_speakers(later, [merged["kept"]], user=merged["editor"])
    first, second = SpeakerMerge.objects.order_by("pk")
    with pytest.raises(PermissionDenied, match="undo that merge first"):
        merging.undo_merge(first, user=merged["editor"])
    merging.undo_merge(second, user=merged["editor"])
    merging.undo_merge(first, user=merged["editor"])
    assert state() == {key: merged["before"][key] for key in state()}


def test_only_editors_merge_or_undo_even_from_the_shell():
    merged = merged_pair()
    contributor = make_user("contributor")
    with pytest.raises(PermissionDenied):
        merging.undo_merge(SpeakerMerge.objects.get(), user=contributor)
    with pytest.raises(PermissionDenied):
        merging.merge_speakers(merged["kept"], [make_speaker()], user=contributor)
    assert Speaker.objects.count() == 2 and SpeakerMerge.objects.get().undone_at is None


def test_undo_from_the_speakers_history_in_the_desk(client):
    from tests.desk import client_for

    merged = merged_pair()
    editor = client_for(client, merged["editor"])
    history = editor.get(f"/admin/archive/speaker/{merged['kept'].pk}/history/").text
    merge = SpeakerMerge.objects.get()
    undo_url = f"/admin/archive/speakermerge/{merge.pk}/undo/"
    assert "Merged Lukasz Wojtowski into Łukasz Wójtowski" in history and undo_url in history
    page = editor.get(undo_url).text
    assert "Lukasz Wojtowski: 3 appearance(s), 3 quote(s), 1 filed report(s)" in page
    response = editor.post(undo_url)
    assert response.status_code == 302
    assert state() == {key: merged["before"][key] for key in state()}
    again = editor.post(undo_url, follow=True)
    assert "Not undone: this merge was undone already." in again.text


def test_the_merge_action_records_a_revision_and_links_to_the_history(client):
    from tests.desk import client_for

    kept, duplicate = make_speaker("Łukasz Wójtowski"), make_speaker("Lukasz Wojtowski")
    editor = client_for(client, make_user("editor"))
    data = {"action": "merge_speakers", "_selected_action": [kept.pk, duplicate.pk],
            "apply": "1", "keep": kept.pk}  # fmt: skip
    page = editor.post("/admin/archive/speaker/", data, follow=True).text
    assert f"/admin/archive/speaker/{kept.pk}/history/" in page
    assert SpeakerMerge.objects.get().kept_id == kept.pk


# -- matching in the desk ------------------------------------------------------


def test_the_speaker_list_search_folds_accents_case_and_finds_aliases(admin_client):
    wojtowski = make_speaker("Łukasz Wójtowski")
    ivanova = make_speaker("Анна Иванова")
    SpeakerAlias.objects.create(speaker=ivanova, name="Anna Ivanova")
    make_speaker("Someone Else")

    def found(term):
        response = admin_client.get("/admin/archive/speaker/", {"q": term})
        return list(response.context["cl"].result_list)

    assert found("Wojtowski") == [wojtowski]
    assert found("lukasz WOJTOWSKI") == [wojtowski]
    assert found("ИВАНОВА") == [ivanova]
    assert found("ivanova") == [ivanova]


def test_the_report_forms_speaker_autocomplete_finds_wojtowski_by_wojtowski(admin_client):
    wojtowski = make_speaker("Łukasz Wójtowski")
    make_speaker("Someone Else")
    response = admin_client.get(
        "/admin/autocomplete/",
        {"term": "Wojtowski", "app_label": "archive", "model_name": "segment",
         "field_name": "speaker"},
    )  # fmt: skip
    assert [r["id"] for r in response.json()["results"]] == [str(wojtowski.pk)]


def test_the_report_search_finds_reports_by_a_speakers_folded_name(admin_client):
    report = make_report("Warsaw startups")
    make_segment(report, speaker=make_speaker("Łukasz Wójtowski"), text="Words.")
    make_report("Another")
    response = admin_client.get("/admin/archive/report/", {"q": "wojtowski"})
    assert list(response.context["cl"].result_list) == [report]


# -- likely duplicates ------------------------------------------------------------


def test_names_keys():
    assert initial_key("Łukasz Wójtowski") == initial_key("Ł. Wójtowski") == "l wojtowski"
    assert initial_key("Madonna") == ""
    assert is_abbreviated("Ł. Wójtowski") and is_abbreviated("J.-L. Mélenchon")
    assert not is_abbreviated("Łukasz Wójtowski")


def test_likely_duplicates_are_the_same_folded_name_or_an_initial_and_surname():
    full = make_speaker("Łukasz Wójtowski")
    plain = make_speaker("LUKASZ WOJTOWSKI")
    short = make_speaker("Ł. Wójtowski")
    namesake = make_speaker("Lena Wójtowski")  # another first name: another person
    make_speaker("Anna Nowak")
    found = set(duplicates.with_likely_duplicates(Speaker.objects.all()))
    assert found == {full, plain, short, namesake}  # Lena and Ł. may be one person
    make_speaker("Solo Person")
    duplicates.dismiss([full, plain, short, namesake])
    assert not duplicates.with_likely_duplicates(Speaker.objects.all()).exists()
    again = make_speaker("Lukasz Wojtowski")  # a new spelling is suggested again
    # Lena was dismissed beside the one abbreviated name: she stays off the list.
    assert set(duplicates.with_likely_duplicates(Speaker.objects.all())) == {
        full, plain, again, short,
    }  # fmt: skip


def test_the_speaker_list_filters_likely_duplicates_grouped_in_constant_queries(
    admin_client, django_assert_num_queries
):
    def listed():
        with django_assert_num_queries(5):
            response = admin_client.get("/admin/archive/speaker/", {"duplicates": "likely"})
        return [s.name for s in response.context["cl"].result_list]

    make_speaker("Łukasz Wójtowski"), make_speaker("Ł. Wójtowski"), make_speaker("Anna Nowak")
    assert listed() == ["Ł. Wójtowski", "Łukasz Wójtowski"]
    for n in range(20):
        make_speaker(f"Person{n} Surname{n}"), make_speaker(f"P. Surname{n}")
    assert len(listed()) == 42


def test_an_editor_dismisses_a_suggestion_from_the_list_and_it_is_remembered(client):
    from tests.desk import client_for

    one, two = make_speaker("Łukasz Wójtowski"), make_speaker("Ł. Wójtowski")
    data = {"action": "dismiss_duplicates", "_selected_action": [one.pk, two.pk]}
    client_for(client, make_user("editor")).post("/admin/archive/speaker/", data)
    response = client.get("/admin/archive/speaker/", {"duplicates": "likely"})
    assert list(response.context["cl"].result_list) == []


# -- authority identifiers and titles over time ----------------------------------------


@pytest.mark.parametrize("value", ["Q0", "q42", "Q42x", "P31", "Q 42", "Q"])
def test_an_authority_id_must_have_the_shape_of_a_wikidata_q_number(value):
    speaker = Speaker(name="Łukasz Wójtowski", slug="lw", authority_id=value)
    with pytest.raises(ValidationError) as raised:
        speaker.full_clean()
    assert "authority_id" in raised.value.message_dict


def test_a_valid_or_blank_authority_id_is_accepted():
    Speaker(name="A Person", slug="a", authority_id="Q42").full_clean()
    Speaker(name="A Person", slug="b").full_clean()


def test_the_public_speaker_page_links_the_authority_and_lists_titles_as_broadcast(client):
    from datetime import date

    speaker = make_speaker("Łukasz Wójtowski", authority_id="Q123")
    for aired, title in [(date(2018, 6, 7), "ANALYST"), (date(2019, 1, 2), "ANALYST"),
                         (date(2021, 3, 4), "CHIEF ECONOMIST <b>")]:  # fmt: skip
        make_segment(make_report(aired_on=aired), speaker=speaker, speaker_title=title)
    draft = make_report(status="draft", aired_on=date(2022, 1, 1))
    make_segment(draft, speaker=speaker, speaker_title="SECRET DRAFT TITLE")

    page = client.get(speaker.get_absolute_url()).text

    assert '<a href="https://www.wikidata.org/wiki/Q123" rel="external">Q123</a>' in page
    assert (
        '<td>ANALYST</td><td><time datetime="2018-06-07">7 June 2018</time></td>'
        '<td><time datetime="2019-01-02">2 January 2019</time></td>' in page
    )
    assert "CHIEF ECONOMIST &lt;b&gt;" in page
    assert "SECRET DRAFT TITLE" not in page
    assert '"sameAs": "https://www.wikidata.org/wiki/Q123"' in page


def test_a_speaker_heard_only_in_drafts_has_no_public_page_or_api_entry(client):
    speaker = make_speaker("Draft Only", authority_id="Q7")
    make_segment(make_report(status="draft"), speaker=speaker, speaker_title="HIDDEN TITLE")
    assert client.get(speaker.get_absolute_url()).status_code == 404
    assert client.get(f"/api/v1/speakers/{speaker.slug}/").status_code == 404


def test_the_api_gives_the_authority_id_and_its_link(client):
    speaker = make_speaker("Łukasz Wójtowski", authority_id="Q123")
    plain = make_speaker("Anna Nowak")
    for person in (speaker, plain):
        make_segment(speaker=person)
    body = client.get(f"/api/v1/speakers/{speaker.slug}/").json()
    assert (body["authority_id"], body["authority_url"]) == (
        "Q123", "https://www.wikidata.org/wiki/Q123",
    )  # fmt: skip
    body = client.get(f"/api/v1/speakers/{plain.slug}/").json()
    assert (body["authority_id"], body["authority_url"]) == ("", None)


def test_the_open_data_exports_carry_the_authority_id(tmp_path):
    import csv
    import json

    speaker = make_speaker("Łukasz Wójtowski", authority_id="Q123")
    make_segment(speaker=speaker)
    call_command("export_dataset", str(tmp_path / "data"), verbosity=0)
    with open(tmp_path / "data" / "speakers.csv", encoding="utf-8") as rows:
        assert [row["authority_id"] for row in csv.DictReader(rows)] == ["Q123"]
    persons = json.loads((tmp_path / "data" / "popolo-persons.json").read_text())
    assert persons[0]["identifiers"] == [{"scheme": "wikidata", "identifier": "Q123"}]


def test_a_backup_keeps_aliases_and_dismissals_but_not_the_ids_of_speakers_gone(tmp_path):
    from archive.identity.models import DuplicateDismissal

    merged = merged_pair()
    one = make_speaker("Ł. Wójtowski")
    duplicates.dismiss([merged["kept"], one], user=merged["editor"])
    aliases = sorted(SpeakerAlias.objects.values_list("speaker__slug", "name", "merged_slug"))
    dismissed = sorted(
        DuplicateDismissal.objects.values_list(
            "speaker__slug", "other__slug", "dismissed_by__username"
        )
    )
    path = tmp_path / "backup.json"
    call_command("backup_archive", str(path), stdout=io.StringIO())
    from tests.test_backup import empty_the_database

    empty_the_database()
    call_command("restore_archive", str(path), stdout=io.StringIO())

    assert (
        sorted(SpeakerAlias.objects.values_list("speaker__slug", "name", "merged_slug")) == aliases
    )
    assert not SpeakerAlias.objects.filter(merged_speaker_id__isnull=False).exists()
    assert (
        sorted(
            DuplicateDismissal.objects.values_list(
                "speaker__slug", "other__slug", "dismissed_by__username"
            )
        )
        == dismissed
    )


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/admin/archive/speakeralias/", 5),
        ("/admin/archive/speakermerge/", 5),
        ("/admin/archive/duplicatedismissal/", 5),
    ],
)
def test_the_identity_changelists_cost_the_same_for_one_row_or_many(
    admin_client, django_assert_num_queries, url, queries
):
    def grow(n):
        for _ in range(n):
            kept, other = make_speaker(), make_speaker()
            SpeakerAlias.objects.create(speaker=kept, name=f"{kept.name} alias")
            duplicates.dismiss([kept, other])
            merging.merge_speakers(kept, [other])

    for rows in (1, 10):
        grow(rows)
        with django_assert_num_queries(queries):
            assert admin_client.get(url).status_code == 200


def test_the_undo_page_costs_the_same_for_a_merge_of_many_speakers(
    admin_client, django_assert_num_queries
):
    for others in (1, 6):
        kept = make_speaker()
        merging.merge_speakers(kept, [make_speaker() for _ in range(others)])
        url = f"/admin/archive/speakermerge/{SpeakerMerge.objects.first().pk}/undo/"
        # The session, the user, the merge with its revision, the merged speakers' versions.
        with django_assert_num_queries(4):
            assert admin_client.get(url).status_code == 200


def test_the_speaker_form_refuses_a_malformed_wikidata_id_and_keeps_aliases(admin_client):
    speaker = make_speaker("Łukasz Wójtowski")
    url = f"/admin/archive/speaker/{speaker.pk}/change/"
    data = {"name": speaker.name, "slug": speaker.slug, "role": "", "authority_id": "Q0",
            "aliases-TOTAL_FORMS": "1", "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "Lukasz Wojtowski"}  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "A Wikidata identifier is Q followed by a number" in response.text
    assert not SpeakerAlias.objects.exists()
    response = admin_client.post(url, {**data, "authority_id": "Q42"})
    assert response.status_code == 302
    speaker.refresh_from_db()
    assert speaker.authority_id == "Q42"
    assert SpeakerAlias.objects.get().name_key == "lukasz wojtowski"


def test_a_missing_merge_is_not_found(admin_client):
    assert admin_client.get("/admin/archive/speakermerge/999/undo/").status_code == 404
    assert admin_client.post("/admin/archive/speakermerge/999/undo/").status_code == 404


def test_an_undo_brings_the_speaker_back_without_an_organization_deleted_since():
    merged = merged_pair()
    Speaker.objects.filter(organization__isnull=False).update(organization=None)
    from archive.models import Organization

    Organization.objects.all().delete()
    merging.undo_merge(SpeakerMerge.objects.get(), user=merged["editor"])
    restored = Speaker.objects.get(pk=merged["duplicate"].pk)
    assert (restored.organization, restored.role) == (None, "Analyst")


def test_two_spellings_of_a_new_name_in_one_import_make_one_speaker(tmp_path):
    write(tmp_path / "one.txt", "ŁUKASZ WÓJTOWSKI")
    second = write(tmp_path / "two.txt", "LUKASZ WOJTOWSKI")
    second.write_text(second.read_text(encoding="utf-8").replace("Warsaw startups", "Again"))
    run_import(tmp_path)
    speaker = Speaker.objects.get(sort_name="lukasz wojtowski")
    assert Segment.objects.filter(kind="soundbite", speaker=speaker).count() == 2


def test_two_existing_speakers_whose_names_fold_alike_keep_their_own_appearances(tmp_path):
    accented, plain = make_speaker("Łukasz Wójtowski"), make_speaker("Lukasz Wojtowski")
    write(tmp_path / "one.txt", "ŁUKASZ WÓJTOWSKI")
    second = write(tmp_path / "two.txt", "LUKASZ WOJTOWSKI")
    second.write_text(second.read_text(encoding="utf-8").replace("Warsaw startups", "Again"))
    run_import(tmp_path)
    assert Segment.objects.filter(kind="soundbite", speaker=accented).count() == 1
    assert Segment.objects.filter(kind="soundbite", speaker=plain).count() == 1


def test_dismissing_refuses_a_selection_too_large_to_be_one_group(client):
    from archive.admin.identity import MAX_DISMISSED
    from archive.identity.models import DuplicateDismissal
    from tests.desk import client_for

    speakers = [make_speaker() for _ in range(MAX_DISMISSED + 1)]
    data = {"action": "dismiss_duplicates", "_selected_action": [s.pk for s in speakers]}
    page = client_for(client, make_user("editor")).post(
        "/admin/archive/speaker/", data, follow=True
    )
    assert f"Select between 2 and {MAX_DISMISSED} speakers." in page.text
    assert not DuplicateDismissal.objects.exists()
