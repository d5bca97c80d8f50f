from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.backup import DatabaseNotEmpty, UnreadableBackup, restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_archive into an empty, migrated database "
        "(SQLite or PostgreSQL, whichever the backup came from). All or nothing: a file "
        "that would lose or merge a record, or holds what the database cannot store, "
        "is refused in one line."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a file written by backup_archive")

    def handle(self, *args, path, **options):
        if not Path(path).is_file():
            raise CommandError(f"{path}: no such backup file")
        try:
            restored = restore(path)
        except (DatabaseNotEmpty, UnreadableBackup) as error:
            raise CommandError(f"{path}: {error}") from error
        summary = ", ".join(f"{n} {name}" for name, n in restored.items())
        self.stdout.write(self.style.SUCCESS(f"Restored {summary} from {path}"))
