"""Search and sorting fold the letters that have no Unicode decomposition (ł, ø, đ, ß,
æ, œ, þ...: archive/collation.py), as PostgreSQL's unaccent already did.

SQLite: the FTS5 index now stores its text with those letters spelled out ("Łukasz"
as "Lukasz"), so its triggers are replaced and every row is indexed again.
PostgreSQL's index is unchanged. Both: speakers' ``sort_name`` is recomputed where
the fold changed it ("Straße" now sorts as "strasse"). Reversing leaves the folded
index and sort names in place: the code before it still finds and sorts everything,
bar the letters it never folded.
"""

from django.db import migrations


def fold_index_and_sort_names(apps, schema_editor):
    from archive import search
    from archive.collation import name_sort_key

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            search.drop_sqlite_triggers(cursor)  # "IF NOT EXISTS" would keep the old ones
        search.install_index(connection, rebuild=True)
    Speaker = apps.get_model("archive", "Speaker")
    changed = []
    for speaker in Speaker.objects.only("pk", "name", "sort_name").iterator(chunk_size=2000):
        key = name_sort_key(speaker.name)
        if key != speaker.sort_name:
            speaker.sort_name = key
            changed.append(speaker)
    Speaker.objects.bulk_update(changed, ["sort_name"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("archive", "0017_segment_time_order")]

    operations = [
        migrations.RunPython(fold_index_and_sort_names, migrations.RunPython.noop, elidable=False),
    ]
