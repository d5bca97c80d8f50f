# Report.source_path (a file's identity beyond its name), an index for the
# importer's look-ups by name, and one quote per (segment, text): the quote's
# natural key, so a backup restores every quote.

import archive.models
from django.db import migrations, models
from django.db.models import Count, Min


def merge_duplicate_quotes(apps, schema_editor):
    """Two quotes of one segment with the same text become one: the first, featured if either was.

    They are the same excerpt of the same words; nothing else of them differs
    that a reader sees, and the constraint below cannot be added while both exist.
    """
    Quote = apps.get_model("archive", "Quote")
    duplicates = (
        Quote.objects.values("segment_id", "text")
        .annotate(count=Count("id"), keep=Min("id"))
        .filter(count__gt=1)
        .order_by()
    )
    for group in duplicates:
        same = Quote.objects.filter(segment_id=group["segment_id"], text=group["text"])
        featured = same.filter(featured=True).exists()
        same.exclude(pk=group["keep"]).delete()
        if featured:
            Quote.objects.filter(pk=group["keep"]).update(featured=True)


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0006_report_first_public_at'),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='source_path',
            field=models.TextField(blank=True, db_default='', default='', help_text='Where that file was (its full path) when it was last imported.'),
        ),
        migrations.AddIndex(
            model_name='report',
            index=models.Index(fields=['source_name'], name='report_source_name_idx'),
        ),
        migrations.RunPython(merge_duplicate_quotes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='quote',
            constraint=models.UniqueConstraint(models.F('segment'), archive.models.TextKey('text'), name='quote_segment_text_unique', violation_error_message='This segment already has a quote with this text.'),
        ),
    ]
