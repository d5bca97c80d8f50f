"""Importing transcripts from the browser: upload, preview (nothing written), import as drafts.

The desk goes through the importer's own checks and matching
(``importer.plan_uploads`` and ``import_uploads``), so the same files give the
same reports as ``manage.py import_transcripts``.
"""

import io
import re
import zipfile
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from archive.admin.importing import views
from archive.importer import Upload, import_uploads
from archive.models import Organization, PendingChange, Quote, Report, Segment, Speaker, Topic
from archive.pending import review as pending
from tests.desk import client_for, make_user

pytestmark = pytest.mark.django_db

TRANSCRIPTS = Path(__file__).parent / "transcripts"
SEED = settings.BASE_DIR / "fixtures" / "transcripts" / "skolkovo-china-russia-hi-tech-center.txt"
VELMORA = TRANSCRIPTS / "examples" / "01_velmora-robotics-park.txt"
HARLOW = TRANSCRIPTS / "examples" / "03_harlow-springs-hospital.txt"
CAPTIONS = TRANSCRIPTS / "captions" / "market-reopens.vtt"
UPLOAD_URL = "admin:archive_report_import"
BAD = b"A title\n[]\n99:99:99\nWords.\n"


@pytest.fixture(autouse=True)
def staging_dir(settings, tmp_path):
    settings.IMPORT_STAGING_DIR = tmp_path / "imports"
    return settings.IMPORT_STAGING_DIR


def upload_file(path, name=None, data=None):
    return SimpleUploadedFile(
        name or Path(path).name, data if data is not None else path.read_bytes()
    )


def zip_of(members, *, name="batch.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def editor(client):
    return client_for(client, make_user("editor"))


def upload(client, *files):
    return client.post(reverse(UPLOAD_URL), {"files": list(files)})


def preview_url(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def rows(response):
    """{file name: its row's text} of the preview page."""
    page = response.content.decode()
    found = re.findall(r'<tr class="import-(\w+)" data-file="([^"]+)">(.*?)</tr>', page, re.S)
    return {
        name: (outcome, re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", body)))
        for outcome, name, body in found
    }


def archive_tables():
    return [m.objects.count() for m in (Report, Segment, Speaker, Organization, Topic, Quote)]


def test_the_preview_shows_what_each_file_will_do_and_writes_nothing(editor, staging_dir):
    url = preview_url(upload(editor, upload_file(SEED), upload_file(HARLOW), upload_file(CAPTIONS)))
    response = editor.get(url)
    assert response.status_code == 200
    shown = rows(response)
    outcome, seed = shown[SEED.name]
    assert outcome == "new" and "New: imported as a draft" in seed
    assert "package" in seed
    assert "Kiril Kaem — SENIOR VICE PRESIDENT SKOLKOVO FOUNDATION" in seed
    assert re.search(r"\d+ soundbite", seed) and re.search(r"\d+ narration", seed)
    assert shown[HARLOW.name][1].count("name-colon") == 1
    assert "captions" in shown[CAPTIONS.name][1]
    assert archive_tables() == [0, 0, 0, 0, 0, 0]
    assert len(list(staging_dir.iterdir())) == 1


def test_importing_the_chosen_files_makes_drafts_by_the_uploader_with_a_revision(client):
    user = make_user("contributor")
    client = client_for(client, user)
    url = preview_url(upload(client, upload_file(SEED), upload_file(HARLOW)))
    response = client.post(url, {"chosen": ["0"]})  # the seed only
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    report = Report.objects.get()
    assert report.source_name == SEED.name and report.status == Report.Status.DRAFT
    assert report.created_by == user
    assert report.source_path.endswith(f": {SEED.name}")
    version = Version.objects.get_for_object(report).get()
    assert version.revision.user == user
    assert version.revision.comment == f"As imported from {SEED.name}."
    # The upload is gone once imported: its preview is not there any more.
    assert client.get(url)["Location"] == reverse(UPLOAD_URL)


def test_an_unchanged_file_is_shown_so_and_imports_nothing(editor):
    call_command("import_transcripts", str(SEED), verbosity=0)
    before = list(Report.objects.values_list("pk", "updated_at", "source_path"))
    response = editor.get(preview_url(upload(editor, upload_file(SEED))))
    outcome, text = rows(response)[SEED.name]
    assert outcome == "unchanged" and "already imported as" in text
    assert 'value="0" aria-label="Import skolkovo-china-russia-hi-tech-center.txt" disabled' in (
        response.content.decode()
    )
    editor.post(response.wsgi_request.path, {"chosen": ["0"]})  # a crafted post
    assert list(Report.objects.values_list("pk", "updated_at", "source_path")) == before


def changed_seed():
    text = SEED.read_text(encoding="utf-8")
    return text.replace("These are mostly the projects", "These are chiefly projects").encode()


def test_a_changed_file_replaces_its_report_keeping_curated_quotes(editor):
    call_command("import_transcripts", str(SEED), verbosity=0)
    kaem = Speaker.objects.get(slug="kiril-kaem")
    curated = Quote.objects.create(
        segment=Segment.objects.get(speaker=kaem),
        speaker=kaem,
        text="we are interested in Chinese investors",
        featured=True,
    )
    url = preview_url(upload(editor, upload_file(SEED, data=changed_seed())))
    outcome, text = rows(editor.get(url))[SEED.name]
    assert outcome == "changed" and "importing replaces it, keeping its curated quotes" in text
    assert Report.objects.get().source_text == SEED.read_text(encoding="utf-8")

    editor.post(url, {"chosen": ["0"]})

    report = Report.objects.get()
    assert report.source_text == changed_seed().decode()
    assert report.segments.filter(text__startswith="These are chiefly projects").exists()
    curated.refresh_from_db()
    assert curated.featured and curated.matches_source and curated.segment.report == report


def test_a_contributors_new_text_for_a_live_report_waits_for_an_editor(client):
    call_command("import_transcripts", str(SEED), publish=True, verbosity=0)
    live = Report.objects.get()
    contributor = make_user("contributor")
    client = client_for(client, contributor)
    url = preview_url(upload(client, upload_file(SEED, data=changed_seed())))
    outcome, text = rows(client.get(url))[SEED.name]
    assert outcome == "changed" and "waits for an editor's review as a pending change" in text

    response = client.post(url, {"chosen": ["0"]}, follow=True)

    assert "waits for an editor" in response.content.decode()
    live.refresh_from_db()
    assert live.source_text == SEED.read_text(encoding="utf-8") and live.is_public
    assert not live.segments.filter(text__startswith="These are chiefly projects").exists()
    change = PendingChange.objects.get(report=live, author=contributor)
    pending.publish(change, user=make_user("editor"))
    live.refresh_from_db()
    assert live.source_text == changed_seed().decode() and live.is_public
    assert live.segments.filter(text__startswith="These are chiefly projects").exists()


def test_without_the_gate_the_importer_refuses_a_contributors_new_live_text():
    call_command("import_transcripts", str(SEED), publish=True, verbosity=0)
    contributor, refusals = make_user("contributor"), []
    upload = Upload(SEED.name, changed_seed(), "desk upload x: seed")
    rule = partial(views._may_replace, contributor)
    counts = import_uploads([upload], replace=True, may_replace=rule, on_refused=refusals.append)
    assert counts.failed == 1
    assert "only editors may" in str(refusals[0])
    assert Report.objects.get().source_text == SEED.read_text(encoding="utf-8")


def test_a_bad_file_is_refused_with_its_line_and_the_others_import(editor):
    url = preview_url(upload(editor, upload_file(SEED), upload_file(SEED, "broken.txt", BAD)))
    response = editor.get(url)
    outcome, text = rows(response)["broken.txt"]
    assert outcome == "refused"
    assert re.search(r"Refused: broken\.txt:3: .*duration", text)
    response = editor.post(url, {"chosen": ["0", "1"]}, follow=True)
    page = response.content.decode()
    assert "1 created" in page and "1 failed" in page and "roken.txt:3:" in page  # capfirst
    assert list(Report.objects.values_list("source_name", flat=True)) == [SEED.name]


def test_hostile_names_and_text_are_escaped_on_the_preview(editor):
    name = "<b onmouseover=alert(1)>x.txt"  # no "/": Django keeps only a name's last part
    data = SEED.read_bytes().replace(b"Skolkovo", b"<b>Skolkovo</b>", 1)
    response = editor.get(preview_url(upload(editor, upload_file(SEED, name, data))))
    page = response.content.decode()
    assert "<b onmouseover" not in page and "&lt;b onmouseover=alert(1)&gt;x.txt" in page
    assert "<b>Skolkovo</b>" not in page


def test_an_upload_over_the_size_limit_is_refused_and_nothing_is_kept(
    editor, settings, staging_dir
):
    settings.IMPORT_UPLOAD_MAX_BYTES = 5_000
    response = upload(editor, upload_file(SEED), upload_file(HARLOW))  # 3.4 kB, then 2 kB more
    assert response.status_code == 400
    assert f"{HARLOW.name} is over the upload limit of 5,000 bytes" in response.content.decode()
    assert not staging_dir.exists() or not list(staging_dir.iterdir())


def test_a_request_body_far_over_the_limit_is_refused_before_it_is_read(editor, settings):
    settings.IMPORT_UPLOAD_MAX_BYTES = 100
    big = upload_file(SEED, data=b"x" * 1_200_000)
    response = upload(editor, big)
    assert response.status_code == 413
    assert "over the limit of 100; import it in parts" in response.content.decode()


def test_more_files_than_the_limit_are_refused(editor, settings):
    settings.IMPORT_UPLOAD_MAX_FILES = 2
    files = [upload_file(SEED, f"{n}.txt") for n in range(3)]
    response = upload(editor, *files)
    assert response.status_code == 400
    assert "The upload holds 3 files; at most 2 are imported at once." in response.content.decode()
    members = {f"{n}.txt": SEED.read_bytes() for n in range(3)}
    response = upload(editor, zip_of(members))
    assert "The upload holds 3 files; at most 2" in response.content.decode()


def test_more_files_than_django_parses_are_refused_in_one_line(editor, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    response = upload(editor, *[upload_file(SEED, f"{n}.txt") for n in range(3)])
    assert response.status_code == 400
    assert "The upload holds too many files" in response.content.decode()


def test_a_zip_of_transcripts_is_previewed_member_by_member(editor):
    members = {
        "batch/seed.txt": SEED.read_bytes(),
        "batch/harlow.txt": HARLOW.read_bytes(),
        "batch/notes.docx": b"not a transcript",
        "__MACOSX/batch/._seed.txt": b"\x00\x05",
        "../escape.txt": VELMORA.read_bytes(),  # only a name: nothing is extracted
    }
    url = preview_url(upload(editor, zip_of(members)))
    shown = rows(editor.get(url))
    assert set(shown) == {
        "batch.zip/batch/seed.txt",
        "batch.zip/batch/harlow.txt",
        "batch.zip/../escape.txt",
    }
    editor.post(url, {"chosen": ["0", "1", "2"]})
    assert sorted(Report.objects.values_list("source_name", flat=True)) == [
        "escape.txt",
        "harlow.txt",
        "seed.txt",
    ]


def test_a_zip_bomb_is_refused_from_its_declared_sizes(editor, settings, staging_dir):
    settings.IMPORT_UPLOAD_MAX_BYTES = 1_000_000
    bomb = zip_of({"bomb.txt": b"Title\n" + b"a" * 50_000_000})  # ~50 kB compressed
    assert bomb.size < 1_000_000
    response = upload(editor, bomb)
    assert response.status_code == 400
    assert "batch.zip uncompressed is over the upload limit of 1,000,000 bytes" in (
        response.content.decode()
    )
    assert not staging_dir.exists() or not list(staging_dir.iterdir())


def test_a_damaged_zip_is_refused_in_one_line(editor):
    response = upload(editor, SimpleUploadedFile("batch.zip", b"PK\x03\x04 not really"))
    assert response.status_code == 400
    assert "batch.zip: not a readable .zip file" in response.content.decode()


def test_an_upload_is_only_its_uploaders_and_checked_when_read(client, editor, staging_dir):
    url = preview_url(upload(editor, upload_file(SEED)))
    other = client_for(type(client)(), make_user("superuser"))
    assert other.get(url)["Location"] == reverse(UPLOAD_URL)
    other.post(url, {"chosen": ["0"]})
    assert not Report.objects.exists()
    (staged,) = staging_dir.iterdir()
    (staged / "0000").write_bytes(SEED.read_bytes() + b"tampered")
    response = editor.post(url, {"chosen": ["0"]}, follow=True)
    assert "changed while it waited" in response.content.decode()
    assert not Report.objects.exists()


def test_anyone_but_staff_with_the_add_permission_is_kept_out(client):
    assert client.get(reverse(UPLOAD_URL))["Location"].startswith(reverse("admin:login"))
    viewer = make_user("contributor")
    viewer.groups.clear()
    assert client_for(client, viewer).get(reverse(UPLOAD_URL)).status_code == 403


# -- one code path with the command ------------------------------------------


def report_fields(r):
    return (r.title, r.status, r.source_name, r.source_checksum, r.source_text, r.duration,
            r.outlet and r.outlet.slug, r.correspondent and r.correspondent.slug, r.dateline,
            r.programme and r.programme.slug, r.aired_on, r.language,
            sorted(r.topics.values_list("slug", flat=True)))  # fmt: skip


def database_state():
    """The archive's rows as the importer leaves them, without ids, times or file paths."""
    reports = {
        report.slug: report_fields(report)
        for report in Report.objects.select_related("outlet", "correspondent", "programme")
    }
    segments = sorted(
        Segment.objects.values_list(
            "report__slug", "position", "kind", "speaker__slug", "speaker_title", "text",
            "start_seconds", "end_seconds", "needs_review", "speaker_basis"
        )
    )  # fmt: skip
    quotes = sorted(
        Quote.objects.values_list(
            "segment__report__slug", "segment__position", "speaker__slug", "text"
        )
    )
    speakers = sorted(Speaker.objects.values_list("slug", "name", "role", "organization__slug"))
    return reports, segments, quotes, speakers, sorted(Topic.objects.values_list("slug", "name"))


def test_the_browser_and_the_command_give_the_same_archive(editor, tmp_path):
    files = sorted((TRANSCRIPTS / "examples").glob("*.txt")) + [SEED, CAPTIONS]
    folder = tmp_path / "in"
    folder.mkdir()
    for path in files:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "broken.txt").write_bytes(BAD)
    err = io.StringIO()
    with pytest.raises(Exception, match="1 of"):
        call_command("import_transcripts", str(folder), stderr=err)
    by_command = database_state()
    command_refusals = [
        line.split(": ", 1)[1] for line in err.getvalue().splitlines() if "broken.txt:" in line
    ]
    Report.objects.all().delete()
    Speaker.objects.all().delete()
    Organization.objects.all().delete()
    Topic.objects.all().delete()

    uploads = [upload_file(path) for path in sorted(folder.iterdir())]
    url = preview_url(upload(editor, *uploads))
    response = editor.post(url, {"chosen": [str(n) for n in range(len(uploads))]}, follow=True)

    assert database_state() == by_command
    page = response.content.decode()
    assert command_refusals and all(
        reason.replace("'", "&#x27;") in page for reason in command_refusals
    )
