from django.core.management.base import BaseCommand, CommandError

from archive.backup import backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the archive (reports, segments, speakers, quotes, "
        "topics, organizations, users and groups) to PATH as natural-key JSON; "
        "PATH ending in .json.gz is compressed. Safe while the site is running."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to write, e.g. archive-2025-01-31.json.gz")

    def handle(self, *args, path, **options):
        if not (path.endswith(".json") or path.endswith(".json.gz")):
            raise CommandError(f"{path}: the backup file name must end in .json or .json.gz")
        try:
            written = backup(path)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from error
        summary = ", ".join(f"{n} {name}" for name, n in written.items())
        self.stdout.write(self.style.SUCCESS(f"Backed up {summary} to {path}"))
