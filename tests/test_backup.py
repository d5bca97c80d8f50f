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
    out = capsys.readouterr().out
    assert "6 reports, 16 segments, 8 quotes, 1 corrections, 0 aliases, " in out
    assert "0 duplicate dismissals, 1 users" in out
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

    from archive.backup import ARCHIVE_MODELS, EDIT_HISTORY
    from archive.models import TRANSIENT_MODELS, PendingChange

    # Pending changes hold row ids, which a restore does not keep: they are not backed up.
    models = set(apps.get_app_config("archive").get_models()) - {PendingChange}
    assert models - set(EDIT_HISTORY) == set(ARCHIVE_MODELS) | set(TRANSIENT_MODELS)


def grow_the_archive(reports=10):
    for n in range(reports):
        report = make_report(f"More {n}")
        report.topics.add(make_topic())
        make_quote(make_segment(report, kind=Segment.Kind.SOUNDBITE, speaker=make_speaker()))


def test_backup_queries_do_not_grow_with_the_archive(varied_archive, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            call_command("backup_archive", str(tmp_path / "archive.json"))
        return len(captured)

    before = queries()
    grow_the_archive()
    assert queries() == before


def backed_up(tmp_path, name="archive.json"):
    """A backup of the database as a list of records, and its path."""
    import json

    path = tmp_path / name
    call_command("backup_archive", str(path))
    return json.loads(path.read_text(encoding="utf-8")), path


def write_records(path, records):
    import json

    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def refusal(path):
    """Restore ``path`` into the emptied database; return the one-line refusal."""
    empty_the_database()
    with pytest.raises(CommandError) as refused:
        call_command("restore_archive", str(path))
    assert "\n" not in str(refused.value)
    assert Report.objects.count() == Segment.objects.count() == Quote.objects.count() == 0
    assert Speaker.objects.count() == Topic.objects.count() == 0
    assert get_user_model().objects.count() == 0
    return str(refused.value)


def test_a_segment_holds_one_quote_of_a_text_however_long(seed_report):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    # Longer than a PostgreSQL b-tree entry may be (about 2.7 kB).
    words = " ".join(f"word{n}" for n in range(1_500))
    segment = make_segment(kind=Segment.Kind.SOUNDBITE, speaker=make_speaker(), text=words)
    make_quote(segment, text=words)
    make_quote(segment, text=words[: len(words) - 9])  # another excerpt: allowed

    duplicate = Quote(segment=segment, speaker=segment.speaker, text=words)
    with pytest.raises(ValidationError, match="already has a quote with this text"):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    assert segment.quotes.count() == 2


def test_restore_refuses_two_quotes_under_one_natural_key(varied_archive, tmp_path):
    records, path = backed_up(tmp_path)
    quote = next(r for r in records if r["model"] == "archive.quote")
    records.append(
        {**quote, "fields": {**quote["fields"], "featured": not quote["fields"]["featured"]}}
    )

    message = refusal(write_records(path, records))

    assert "two records of quote [" in message
    assert "restoring both would merge them into one" in message


@pytest.mark.parametrize(
    "model, field, value, reason",
    [
        ("archive.topic", "name", "Elec\x00tions", "U+0000, which no database can store"),
        ("archive.speaker", "name", "Half \ud800 a pair", "U+D800, which no database can store"),
        ("archive.report", "published_at", "yesterday", "published_at: "),
        ("archive.report", "dateline", "x" * 201, "dateline is longer than 200"),
        ("archive.segment", "report", ["no-such-report"], "which the backup does not hold"),
        ("archive.report", "topics", [["no-such-topic"]], "which the backup does not hold"),
        ("archive.segment", "colour", "red", "has a field this database lacks (colour)"),
    ],
)
def test_restore_refuses_a_bad_record_with_one_line_and_writes_nothing(
    varied_archive, tmp_path, model, field, value, reason
):
    records, path = backed_up(tmp_path)
    record = next(r for r in records if r["model"] == model)
    record["fields"][field] = value

    message = refusal(write_records(path, records))

    assert message.startswith(f"{path}: not a backup this archive can restore: ")
    assert reason in message


@pytest.mark.parametrize(
    "content, reason",
    [
        ('{"model": "archive.topic"}', "does not hold a list of records"),
        ('["a topic"]', "record 1 is not a model record"),
        ('[{"model": "archive.poem", "fields": {}}]', "unknown model 'archive.poem'"),
    ],
)
def test_restore_refuses_a_file_that_is_not_a_list_of_records(tmp_path, content, reason):
    path = tmp_path / "odd.json"
    path.write_text(content, encoding="utf-8")

    assert reason in refusal(path)


def test_restore_counts_every_table_before_it_commits(varied_archive, tmp_path, monkeypatch):
    from archive import backup

    _, path = backed_up(tmp_path)
    real_insert_rows = backup.insert_rows

    def insert_rows(model, rows):
        return real_insert_rows(model, rows[1:] if model is Quote else rows)

    monkeypatch.setattr(backup, "insert_rows", insert_rows)

    assert refusal(path).endswith("8 quotes in the file, 7 would be restored")


def test_natural_keys_read_from_a_backup_are_the_models_own(varied_archive):
    from django.core import serializers

    from archive.backup import backup_objects, natural_key_from

    for obj in backup_objects():
        [record] = serializers.serialize(
            "python", [obj], use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        assert natural_key_from(type(obj), record["fields"]) == tuple(obj.natural_key())


def test_restore_queries_do_not_grow_with_the_archive(varied_archive, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        _, path = backed_up(tmp_path)
        empty_the_database()
        with CaptureQueriesContext(connection) as captured:
            call_command("restore_archive", str(path))
        return len(captured)

    before = queries()
    grow_the_archive()
    assert queries() == before


def test_the_migration_merges_quotes_of_the_same_words_on_one_segment(db):
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("archive.migrations.0008_import_sources_and_quote_keys")
    segment = make_segment(kind=Segment.Kind.SOUNDBITE, speaker=make_speaker())
    other = make_quote(make_segment(segment.report, text="Other words."))
    with connection.cursor() as cursor:  # as before the constraint (rolled back with the test)
        cursor.execute(f"DROP INDEX {connection.ops.quote_name('quote_segment_text_unique')}")
    first = make_quote(segment)
    make_quote(segment, featured=True)
    make_quote(segment)

    migration.merge_duplicate_quotes(apps, None)

    assert list(Quote.objects.order_by("pk").values_list("pk", "featured")) == [
        (other.pk, False),
        (first.pk, True),
    ]
