"""Segment times grow with position, as a database rule (archive/segment_times.py).

The SQL lives in archive/segment_times.py so that post_migrate can re-create the
SQLite triggers after a migration rebuilds the segment table.
"""

from django.db import migrations


def install(apps, schema_editor):
    from archive.segment_times import install

    install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from archive.segment_times import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("archive", "0016_presence")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
