from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from archive.models import (
    Correction,
    Organization,
    Programme,
    Quote,
    Report,
    Segment,
    Speaker,
    Topic,
)

from .factories import (
    make_correction,
    make_organization,
    make_programme,
    make_quote,
    make_report,
    make_segment,
    make_speaker,
    make_topic,
)

pytestmark = pytest.mark.django_db


def everything():
    """Every stored field of every archive row and user, keyed by natural keys, not ids."""
    User = get_user_model()
    return {
        "organizations": sorted(Organization.objects.values_list("slug", "name")),
        "topics": sorted(Topic.objects.values_list("slug", "name")),
        "speakers": sorted(
            Speaker.objects.values_list("slug", "name", "role", "organization__slug")
        ),
        "reports": sorted(
            (
                *Report.objects.filter(pk=r.pk).values_list(
                    "slug",
                    "title",
                    "outlet__slug",
                    "correspondent__slug",
                    "dateline",
                    "duration",
                    "status",
                    "published_at",
                    "withdrawal_reason",
                    "programme__slug",
                    "aired_on",
                    "aired_time",
                    "aired_utc_offset",
                    "language",
                    "source_url",
                    "media_url",
                    "source_name",
                    "source_text",
                    "source_checksum",
                    "created_at",
                    "updated_at",
                )[0],
                tuple(sorted(r.topics.values_list("slug", flat=True))),
            )
            for r in Report.objects.all()
        ),
        "segments": sorted(
            Segment.objects.values_list(
                "report__slug",
                "position",
                "kind",
                "speaker__slug",
                "speaker_title",
                "text",
                "start_seconds",
                "end_seconds",
            )
        ),
        "programmes": sorted(Programme.objects.values_list("slug", "name", "outlet__slug")),
        "corrections": sorted(
            Correction.objects.values_list(
                "report__slug", "corrected_on", "what_was_wrong", "what_changed"
            )
        ),
        "quotes": sorted(
            Quote.objects.values_list(
                "segment__report__slug",
                "segment__position",
                "speaker__slug",
                "text",
                "featured",
                "matches_source",
                "created_at",
            )
        ),
        "users": sorted(
            (u.username, u.password, u.is_staff, u.is_superuser, u.email, u.date_joined)
            + (tuple(sorted(u.groups.values_list("name", flat=True))),)
            for u in User.objects.all()
        ),
        "groups": sorted(
            (g.name, tuple(sorted(g.permissions.values_list("codename", flat=True))))
            for g in Group.objects.all()
        ),
    }


@pytest.fixture
def varied_archive(seed_report):
    """The seed plus a report in every state, topics, a featured and a stale quote, an editor."""
    topic = make_topic("Elections")
    for status, published_at in [
        (Report.Status.DRAFT, None),
        (Report.Status.REVIEW, None),
        (Report.Status.PUBLISHED, timezone.now() + timedelta(days=2)),
        (Report.Status.WITHDRAWN, timezone.now() - timedelta(days=9)),
    ]:
        report = make_report(f"A {status} report", status=status, published_at=published_at)
        report.topics.add(topic)
        segment = make_segment(
            report,
            kind=Segment.Kind.SOUNDBITE,
            speaker=make_speaker(f"Speaker of {status}"),
            speaker_title="MINISTER, “QUOTED” & <ESCAPED>",
            text="Ünïcode, quotes \" and ' and a second sentence.",
        )
        make_quote(segment, text="Ünïcode, quotes", featured=True)
    aired = make_report(
        "An aired report",
        programme=make_programme("Global Business", outlet=make_organization("CGTN")),
        aired_at=datetime(2018, 6, 7, 19, 30, tzinfo=dt_timezone(timedelta(hours=8))),
        language="zh-Hans",
        source_url="https://example.org/transcript",
        media_url="https://example.org/report.mp4",
    )
    make_segment(aired, text="Timed words.", start_seconds=1.5, end_seconds=4.25)
    make_correction(aired, what_was_wrong="A title was wrong.", what_changed="It was fixed.")
    stale = make_quote(seed_report.segments.get(position=7), text="In the first place")
    Segment.objects.filter(pk=stale.segment_id).update(text="Edited since.")
    Quote.objects.filter(pk=stale.pk).update(matches_source=False)
    editor = get_user_model().objects.create_user("editor", password="s3cret-passphrase")
    editor.groups.add(Group.objects.get(name="Editors"))


def empty_the_database():
    Quote.objects.all().delete()
    Report.objects.all().delete()
    Programme.objects.all().delete()
    Speaker.objects.all().delete()
    Organization.objects.all().delete()
    Topic.objects.all().delete()
    get_user_model().objects.all().delete()


@pytest.mark.parametrize("name", ["archive.json", "archive.json.gz"])
def test_backup_restores_every_report_segment_speaker_and_quote(
    varied_archive, tmp_path, name, capsys
):
    original = everything()
    assert len(original["reports"]) == 6 and len(original["quotes"]) == 8
    assert len(original["corrections"]) == 1 and len(original["programmes"]) == 1
    path = tmp_path / name

    call_command("backup_archive", str(path))
    assert "6 reports, 16 segments, 8 quotes, 1 corrections, 1 users" in capsys.readouterr().out
    assert path.stat().st_mode & 0o077 == 0  # it holds password hashes
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no partial file left behind

    empty_the_database()
    assert everything()["segments"] == []
    call_command("restore_archive", str(path))

    assert everything() == original
    assert get_user_model().objects.get(username="editor").check_password("s3cret-passphrase")


def test_restore_refuses_a_database_that_is_not_empty(varied_archive, tmp_path):
    path = tmp_path / "archive.json"
    call_command("backup_archive", str(path))
    Report.objects.filter(status=Report.Status.DRAFT).update(title="Changed after the backup")
    before = everything()

    with pytest.raises(CommandError) as refused:
        call_command("restore_archive", str(path))
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: the database is not empty (")
    assert "6 reports, 16 segments, 8 quotes, 1 corrections, 1 users" in message
    assert everything() == before


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{not json", "not a backup this archive can restore"),
        (
            '[{"model": "archive.segment", "fields": {"report": ["no-such-report"], '
            '"position": 1, "kind": "narration", "text": "x"}}]',
            "not a backup this archive can restore",
        ),
    ],
    ids=["malformed", "dangling-natural-key"],
)
def test_restore_of_an_unreadable_file_writes_nothing_and_says_why(tmp_path, content, reason):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("restore_archive", str(path))
    assert "\n" not in str(refused.value)
    assert reason in str(refused.value)
    assert Report.objects.count() == Segment.objects.count() == 0


def test_backup_file_name_must_say_its_format(tmp_path):
    with pytest.raises(CommandError, match=r"must end in \.json or \.json\.gz"):
        call_command("backup_archive", str(tmp_path / "archive.tar"))
    assert list(tmp_path.iterdir()) == []


def test_every_archive_model_is_backed_up():
    from django.apps import apps

    from archive.backup import ARCHIVE_MODELS

    assert set(apps.get_app_config("archive").get_models()) == set(ARCHIVE_MODELS)


def test_backup_queries_do_not_grow_with_the_archive(varied_archive, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            call_command("backup_archive", str(tmp_path / "archive.json"))
        return len(captured)

    before = queries()
    for n in range(10):
        report = make_report(f"More {n}")
        report.topics.add(make_topic())
        make_quote(make_segment(report, kind=Segment.Kind.SOUNDBITE, speaker=make_speaker()))
    assert queries() == before
