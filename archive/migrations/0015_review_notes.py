"""The desk's bookkeeping on a report (who made it, its last review note) and the index
the desk home counts mismatched quotes with (issue 14)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0014_speaker_identity"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Who made the report at the desk (by hand or by upload); empty for the shell.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="review_note",
            field=models.TextField(
                blank=True,
                db_default="",
                default="",
                editable=False,
                help_text="The note of the last move to review or back.",
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="review_note_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="review_note_to",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Who the report was sent back to, for their desk home.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="quote",
            index=models.Index(
                condition=models.Q(("matches_source", False)),
                fields=["segment"],
                name="quote_mismatched_idx",
            ),
        ),
    ]
