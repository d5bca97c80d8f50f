"""The change counter the public page cache is keyed on (archive/caching.py).

One row in a plain table (no model: it is bookkeeping, not archive data),
bumped by triggers on every table a public page reads: SQLite triggers,
PostgreSQL deferred constraint triggers. The SQL lives in archive/caching.py
so that post_migrate can re-create the SQLite triggers after a later
migration rebuilds a table.
"""

from django.db import migrations


def install(apps, schema_editor):
    from archive.caching import create_counter_table, install_triggers

    create_counter_table(schema_editor.connection)
    install_triggers(schema_editor.connection)


def uninstall(apps, schema_editor):
    from archive.caching import drop_counter_table, uninstall_triggers

    uninstall_triggers(schema_editor.connection)
    drop_counter_table(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_public_search")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
