from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "archive"
    verbose_name = "Report archive"

    def ready(self):
        from django.db.models import IntegerField
        from django.db.models.signals import post_migrate, pre_migrate

        from .caching import drop_triggers_before_migrate, ensure_triggers_after_migrate
        from .db_lookups import IntegerFieldIn
        from .search import ensure_index_after_migrate
        from .segment_times import ensure_after_migrate as ensure_segment_times_after_migrate

        # SQLite drops a table's triggers when a migration rebuilds the table.
        post_migrate.connect(ensure_index_after_migrate, sender=self)
        pre_migrate.connect(drop_triggers_before_migrate, sender=self)
        post_migrate.connect(ensure_triggers_after_migrate, sender=self)
        post_migrate.connect(ensure_segment_times_after_migrate, sender=self)
        IntegerField.register_lookup(IntegerFieldIn)
