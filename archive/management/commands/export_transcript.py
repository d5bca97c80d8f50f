from django.core.management.base import BaseCommand, CommandError

from archive.importer import report_as_parse
from archive.models import Report
from archive.transcripts import render


class Command(BaseCommand):
    help = "Print a report in the transcript text format; importing the output gives it back."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the report's slug")

    def handle(self, *args, slug, **options):
        report = Report.objects.filter(slug=slug).select_related("outlet", "correspondent").first()
        if report is None:
            raise CommandError(f"no report with the slug {slug!r}")
        try:
            text = render(report_as_parse(report))
        except ValueError as error:
            # A row stored before the way in refused it (a negative duration).
            raise CommandError(
                f"report {slug!r} cannot be written as a transcript: {error}"
            ) from None
        self.stdout.write(text, ending="")
