"""Search finds people and ignores accents.

SQLite: a new FTS5 table of speakers' names and organizations, kept in sync by
triggers. PostgreSQL: the unaccent extension, an IMMUTABLE archive_unaccent()
wrapper and the search indexes rebuilt on unaccented text. The SQL lives in
archive/search.py (post_migrate re-creates SQLite's triggers). Reversing leaves the
new index in place; the code before it still finds everything (unindexed on PostgreSQL).
"""

from django.db import migrations


def install(apps, schema_editor):
    from archive.search import install_index

    install_index(schema_editor.connection, rebuild=True)


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_segment_times_and_review")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop, elidable=False)]
