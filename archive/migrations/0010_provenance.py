# Provenance: the broadcast's day, time and zone, programme, language, source and
# media URLs, and the corrections log that replaces Report.correction.

import archive.models
import datetime
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def corrections_into_log(apps, schema_editor):
    """Each non-empty correction notice becomes one log entry, dated when its report last changed.

    The old field kept no date of its own; the report's last change is the
    latest the correction can have been made. The whole text is kept.
    """
    Report = apps.get_model("archive", "Report")
    Correction = apps.get_model("archive", "Correction")
    db = schema_editor.connection.alias  # the database migrated, not always the default
    entries = [
        Correction(report_id=pk, corrected_on=updated_at.date(), what_was_wrong=text)
        for pk, text, updated_at in Report.objects.using(db).exclude(correction="").values_list(
            "pk", "correction", "updated_at"
        )
        if text.strip()
    ]
    Correction.objects.using(db).bulk_create(entries)


def log_into_corrections(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # The page cache's deferred triggers (archive/caching.py) would otherwise
        # leave events pending on archive_report, and PostgreSQL refuses to alter
        # a table with pending trigger events in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    Report = apps.get_model("archive", "Report")
    Correction = apps.get_model("archive", "Correction")
    db = schema_editor.connection.alias
    notices = {}
    for entry in Correction.objects.using(db).order_by("report_id", "corrected_on", "pk"):
        text = "\n".join(filter(None, [entry.what_was_wrong, entry.what_changed]))
        notices.setdefault(entry.report_id, []).append(text)
    for report_id, texts in notices.items():
        Report.objects.using(db).filter(pk=report_id).update(correction="\n\n".join(texts))


def grant_permissions(apps, schema_editor):
    """Programmes are edited like organizations. Corrections show to readers at once,
    without a pending revision, so only Editors (who may publish) add or change them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    def permissions(model, actions):
        content_type, _ = ContentType.objects.get_or_create(app_label="archive", model=model)
        return [
            Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )[0]
            for action in actions
        ]

    contributors, _ = Group.objects.get_or_create(name="Contributors")
    contributors.permissions.add(
        *permissions("programme", ["add", "change", "view"]), *permissions("correction", ["view"])
    )
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *permissions("programme", ["add", "change", "view", "delete"]),
        *permissions("correction", ["add", "change", "view", "delete"]),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0008_import_sources_and_quote_keys'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='aired_on',
            field=models.DateField(blank=True, help_text='The day of the broadcast, as broadcast.', null=True, verbose_name='air date'),
        ),
        migrations.AddField(
            model_name='report',
            name='aired_time',
            field=models.TimeField(blank=True, help_text='The local time of the broadcast, where known; empty when only the day is.', null=True, verbose_name='air time'),
        ),
        migrations.AddField(
            model_name='report',
            name='aired_utc_offset',
            field=models.SmallIntegerField(blank=True, help_text="The air time's offset from UTC in minutes (480 for +08:00), where known.", null=True, verbose_name='UTC offset (minutes)'),
        ),
        migrations.AddField(
            model_name='report',
            name='language',
            field=models.CharField(default=archive.models.default_language, help_text='What the report is spoken in, as a BCP 47 tag (en, en-US, zh-Hans).', max_length=35),
        ),
        migrations.AddField(
            model_name='report',
            name='media_url',
            field=models.URLField(blank=True, help_text='The recording: an audio or video file, or a page that plays it.', max_length=1000, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='media URL'),
        ),
        migrations.AddField(
            model_name='report',
            name='source_url',
            field=models.URLField(blank=True, help_text='Where the transcript came from.', max_length=1000, validators=[django.core.validators.URLValidator(schemes=['http', 'https'])], verbose_name='source URL'),
        ),
        migrations.CreateModel(
            name='Correction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('corrected_on', models.DateField(default=datetime.date.today, verbose_name='date')),
                ('what_was_wrong', models.TextField(help_text='What the report said that was wrong.')),
                ('what_changed', models.TextField(blank=True, help_text='What was changed to correct it.')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='corrections', to='archive.report')),
            ],
            options={
                'ordering': ['report', 'corrected_on', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Programme',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=300)),
                ('slug', models.SlugField(allow_unicode=True, max_length=200)),
                ('outlet', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='programmes', to='archive.organization')),
            ],
            options={
                'ordering': ['name'],
            },
        ),
        migrations.AddField(
            model_name='report',
            name='programme',
            field=models.ForeignKey(blank=True, help_text='The show that aired the report.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='archive.programme'),
        ),
        migrations.RemoveIndex(
            model_name='report',
            name='report_public_order_idx',
        ),
        migrations.AddIndex(
            model_name='report',
            index=models.Index(models.F('status'), models.OrderBy(archive.models.BroadcastDate(), descending=True), models.OrderBy(models.F('id'), descending=True), name='report_aired_order_idx'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('aired_time__isnull', True), ('aired_on__isnull', False), _connector='OR'), name='report_air_time_has_day'),
        ),
        migrations.AddConstraint(
            model_name='report',
            constraint=models.CheckConstraint(condition=models.Q(('aired_utc_offset__isnull', True), models.Q(('aired_time__isnull', False), ('aired_utc_offset__gte', -1080), ('aired_utc_offset__lte', 1080)), _connector='OR'), name='report_air_offset_has_time'),
        ),
        migrations.AddConstraint(
            model_name='programme',
            constraint=models.UniqueConstraint(fields=('slug',), name='programme_slug_unique'),
        ),
        migrations.RunPython(corrections_into_log, log_into_corrections),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='report',
            name='correction',
        ),
    ]
