"""Scale: indexes for the outlet choices and the admin's changelist, and the
page cache's counters by scope (archive/caching.py).

0004 kept one counter that every write bumped; the counter table now holds
one row per scope (``all``, ``reports``, ``text``, ``report:<id>``), so a save
empties only the pages that show what it changed. The SQL lives in
archive/caching.py so that post_migrate can re-create the SQLite triggers.
"""

from django.db import migrations, models


def rebuild_counters(apps, schema_editor):
    from archive.caching import create_counter_table, drop_counter_table, install_triggers
    from archive.caching import uninstall_triggers

    uninstall_triggers(schema_editor.connection)
    drop_counter_table(schema_editor.connection)
    create_counter_table(schema_editor.connection)
    install_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("archive", "0011_search_people_unaccent")]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=["outlet", "status", "published_at"], name="report_outlet_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["-published_at", "-id"], name="report_recent_idx"),
        ),
        # Forwards only: 0004's reverse drops the table whatever its shape.
        migrations.RunPython(rebuild_counters, migrations.RunPython.noop, elidable=False),
    ]
