from django.core.management.base import BaseCommand, CommandError

from archive.exports.writer import write_dataset


class Command(BaseCommand):
    help = (
        "Write the public archive to DIR as a Frictionless data package: datapackage.json "
        "(data dictionary, checksums, licence, snapshot time), one CSV and one JSON Lines "
        "file per table, and speakers and organizations as Popolo JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")
        parser.add_argument(
            "--base-url",
            default="",
            help="The archive's public address (https://archive.example.org) for Popolo links.",
        )

    def handle(self, *args, directory, base_url, **options):
        try:
            package = write_dataset(directory, base_url=base_url.rstrip("/"))
        except OSError as error:
            raise CommandError(f"{directory}: {error.strerror or error}") from None
        if options["verbosity"] >= 1:
            counts = ", ".join(
                f"{resource['count']} {resource['name']}"
                for resource in package["resources"]
                if "count" in resource
            )
            self.stdout.write(self.style.SUCCESS(f"Wrote {directory}: {counts}."))
