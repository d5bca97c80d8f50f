"""Full-text search: FTS5 tables and triggers on SQLite, GIN indexes on PostgreSQL.

The SQL lives in archive/search.py so that post_migrate can re-create the
triggers after a later migration rebuilds a table (SQLite drops a table's
triggers with it).
"""

from django.db import migrations


def install(apps, schema_editor):
    from archive.search import install_index

    install_index(schema_editor.connection, rebuild=True)


def uninstall(apps, schema_editor):
    from archive.search import uninstall_index

    uninstall_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("archive", "0002_editorial_groups")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
