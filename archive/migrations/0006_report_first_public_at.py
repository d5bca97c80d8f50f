"""Report.first_public_at: whether a report was ever public, so a withdrawn one
that never was answers 404 instead of showing its title and notice (410).

Existing rows: a report is taken to have been public when its publication
time has passed and is no later than its last change (or, if it is published,
no later than now): the best evidence the old rows hold.
"""

from django.db import migrations, models
from django.db.models import F, Q
from django.utils import timezone


def backfill(apps, schema_editor):
    Report = apps.get_model("archive", "Report")
    now = timezone.now()
    seen_public = Q(published_at__lte=now) & (
        Q(status="published") | Q(published_at__lte=F("updated_at"))
    )
    Report.objects.filter(seen_public).update(first_public_at=F("published_at"))


class Migration(migrations.Migration):
    dependencies = [("archive", "0005_segment_times_and_review")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="first_public_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text=(
                    "Recorded on the first save after the report was public. Withdrawn, "
                    "a report that never was answers 404, not 410 with its notice."
                ),
                null=True,
                verbose_name="first public at",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
