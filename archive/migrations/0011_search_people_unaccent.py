"""Search finds people and ignores accents; names sort for readers; topics differing only
by case are one.

SQLite: new FTS5 tables of speakers' and organizations' names, kept in sync by
triggers. PostgreSQL: the unaccent extension, an IMMUTABLE archive_unaccent()
wrapper and the search indexes rebuilt on unaccented text. The SQL lives in
archive/search.py (post_migrate re-creates SQLite's triggers). Reversing leaves the
new index in place; the code before it still finds everything (unindexed on PostgreSQL).

Speakers get ``sort_name`` (the folded name, filled here for existing rows) and an
index to list them by it. Topics: duplicates that differ only by case are merged into
the oldest (their reports move to it) before the case-insensitive unique constraint
is added.
"""

import django.db.models.functions.text
from django.db import migrations, models

import archive.models


def install(apps, schema_editor):
    from archive.search import install_index

    install_index(schema_editor.connection)  # fills the new tables (SQLite), builds indexes


def fill_sort_names(apps, schema_editor):
    from archive.collation import name_sort_key

    Speaker = apps.get_model("archive", "Speaker")
    speakers = list(Speaker.objects.only("pk", "name"))
    for speaker in speakers:
        speaker.sort_name = name_sort_key(speaker.name)
    Speaker.objects.bulk_update(speakers, ["sort_name"], batch_size=1000)


def merge_topics_differing_by_case(apps, schema_editor):
    Topic = apps.get_model("archive", "Topic")
    Through = apps.get_model("archive", "Report").topics.through
    kept = {}
    for topic in Topic.objects.order_by("pk"):
        keeper = kept.setdefault(topic.name.lower(), topic)
        if keeper.pk == topic.pk:
            continue
        tagged = Through.objects.filter(topic_id=keeper.pk).values("report_id")
        Through.objects.filter(topic_id=topic.pk).exclude(report_id__in=tagged).update(
            topic_id=keeper.pk
        )
        topic.delete()  # its remaining links (reports already tagged with the keeper) go too


class Migration(migrations.Migration):
    dependencies = [("archive", "0010_provenance")]

    operations = [
        migrations.AddField(
            model_name="speaker",
            name="sort_name",
            field=archive.models.NameSortKeyField(
                db_default="",
                default="",
                editable=False,
                help_text="The name as it sorts: accents folded (Łukasz as L).",
                max_length=200,
            ),
        ),
        migrations.RunPython(fill_sort_names, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="speaker",
            index=models.Index(fields=["sort_name", "name", "id"], name="speaker_sort_name_idx"),
        ),
        migrations.RunPython(merge_topics_differing_by_case, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="topic",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("name"),
                name="topic_name_case_insensitive_unique",
                violation_error_message="A topic with this name already exists "
                "(topics that differ only by case are one topic).",
            ),
        ),
        # Last: the AddField above rebuilds archive_speaker on SQLite, dropping its triggers.
        migrations.RunPython(install, migrations.RunPython.noop, elidable=False),
    ]
