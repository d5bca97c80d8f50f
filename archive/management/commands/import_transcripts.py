import argparse
import json
import os
import sys
import traceback

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from tqdm import tqdm

from archive.importer import (
    MAX_FILE_BYTES,
    ImportAborted,
    ImportInterrupted,
    find_transcripts,
    import_transcripts,
    parse_summary,
    parse_transcripts,
    printable,
)
from archive.models import check_publication_time

# What a shell reports for a process ended by Ctrl-C (128 + SIGINT).
INTERRUPTED = 130


def aware_datetime(value):
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None  # well formed but no real time, such as 2026-02-30
    if moment is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO 8601 time")
    moment = make_aware(moment) if is_naive(moment) else moment
    try:
        check_publication_time(moment)
    except ValidationError as error:
        raise argparse.ArgumentTypeError(error.messages[0]) from None
    return moment


def worker_count(value):
    count = int(value)
    if count < 0:
        raise ValueError(value)
    return count


def first_line(error):
    return next(iter(str(error).strip().splitlines()), "") or type(error).__name__


def describe_parse(path, parse):
    """What importing ``parse`` would do, for an editor: style, speakers, kinds, warnings."""
    summary = parse_summary(parse)
    kinds = summary["kinds"]
    lines = [f"{path}: {summary['style']} style, {summary['segments']} segments"]
    lines.append("  segments: " + ", ".join(f"{n} {kind}" for kind, n in kinds.items()))
    lines.append(f"  speakers ({len(summary['speakers'])}):")
    for speaker, captions in summary["speakers"].items():
        caption = f" — {'; '.join(captions)}" if captions else ""
        lines.append(f"    {speaker}{caption}")
    if unsure := summary["needs_review"]:
        lines.append(f"  {unsure} segments need review: they get no quote and hold publishing")
    lines.extend(f"  warning: {warning}" for warning in summary["warnings"])
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Import transcript files (or folders, searched for *.txt, *.vtt, *.srt) as draft reports. "
        "Unchanged files are skipped; a changed file is refused unless --replace. "
        "Each refused file gets one line on standard error: path:line: reason. "
        f"Files over {MAX_FILE_BYTES:,} bytes are refused."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="+", metavar="PATH", help="a transcript (.txt, .vtt, .srt) or a folder"
        )
        parser.add_argument("--publish", action="store_true", help="publish the new reports")
        parser.add_argument(
            "--published-at",
            type=aware_datetime,
            metavar="ISO",
            help="publish at this time (ISO 8601) instead of now; implies --publish",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="rebuild reports whose file changed, keeping their curated quotes",
        )
        parser.add_argument(
            "--workers",
            type=worker_count,
            metavar="N",
            help="processes that parse while the database is written (default: one per core "
            "but one, when there are over 200 files; 0 parses in this process)",
        )
        parser.add_argument("--dry-run", action="store_true", help="parse only; touch no database")
        parser.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="with --dry-run, json prints each parse on standard output",
        )

    def handle(self, *args, paths, dry_run, format, **options):
        self.verbosity = options["verbosity"]
        self.show_traceback = options["traceback"]
        self.failed = self.empty_folders = 0
        self.counts = None
        try:
            self.run(paths, dry_run, format, options)
        except ImportInterrupted as interrupted:
            raise self.interrupted(interrupted.counts) from None
        except KeyboardInterrupt:
            raise self.interrupted(None if dry_run else self.counts) from None

    def interrupted(self, counts):
        """Ctrl-C: what was committed, in one line, and the shell's status for it."""
        if counts is None:
            message = "Interrupted: nothing was written."
        else:
            message = (
                f"Interrupted: {counts.created + counts.updated} files committed "
                f"({counts.created} created, {counts.updated} updated), {counts.unchanged} "
                f"unchanged, {counts.failed} refused; the batch being written was rolled back: "
                "run the import again to carry on."
            )
        return CommandError(message, returncode=INTERRUPTED)

    def run(self, paths, dry_run, format, options):
        files = find_transcripts(paths)
        for folder in paths:
            if os.path.isdir(folder) and not find_transcripts([folder]):
                self.empty_folders += 1
                self.stderr.write(f"{printable(str(folder))}: a folder with no .txt file in it")
        progress = tqdm(
            total=len(files),
            file=sys.stderr,
            unit="file",
            disable=self.verbosity == 0 or not sys.stderr.isatty(),
        )
        with progress:
            if dry_run:
                summary = self.dry_run(paths, files, format, progress)
            else:
                try:
                    counts = import_transcripts(
                        files,
                        publish=options["publish"],
                        published_at=options["published_at"],
                        replace=options["replace"],
                        on_refused=self.refused,
                        on_file=lambda path: progress.update(),
                        workers=options["workers"],
                    )
                except ImportAborted as error:
                    raise CommandError(str(error)) from error
                except OperationalError as error:
                    # Down, refusing connections, or not migrated: one line, not a traceback.
                    raise CommandError(f"cannot use the database: {first_line(error)}") from error
                self.counts, self.failed, summary = counts, counts.failed, counts.summary()
        if self.verbosity:
            self.stderr.write(summary, style_func=lambda text: text)
        problems = [f"{self.failed} of {len(files)} files refused; they wrote nothing"]
        problems = problems if self.failed else []
        if self.empty_folders:
            problems.insert(0, f"{self.empty_folders} folder(s) with no .txt file")
        if problems:
            raise CommandError("; ".join(problems) + ".")

    def refused(self, refused):
        self.failed += 1
        with tqdm.external_write_mode(file=sys.stderr):  # the line goes above the bar
            self.stderr.write(str(refused))
        if self.show_traceback and refused.__cause__:
            self.stderr.write("".join(traceback.format_exception(refused.__cause__)))

    def dry_run(self, paths, files, format, progress):
        """Parse and print; the database is never opened."""
        parsed = parse_transcripts(
            files, on_refused=self.refused, on_file=lambda p: progress.update()
        )
        as_list = len(files) != 1 or len(paths) != 1 or files[0] != str(paths[0])
        count = 0
        if format == "json" and as_list:
            self.stdout.write("[", ending="")
        for path, parse in parsed:
            count += 1
            if format != "json":
                self.stdout.write(describe_parse(path, parse))
                continue
            text = json.dumps(parse.as_dict(file=path), ensure_ascii=False, indent=2)
            if as_list:
                text = (
                    ("," if count > 1 else "")
                    + "\n"
                    + "\n".join("  " + line for line in text.splitlines())
                )
            self.stdout.write(text, ending="" if as_list else "\n")
        if format == "json" and as_list:
            self.stdout.write("\n]" if count else "]")
        return f"{len(files)} files read: {count} parsed, {self.failed} failed (dry run)"
