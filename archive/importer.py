"""Transcript files in, reports out: the database side of the text format.

Plain functions with keyword arguments that return counts; the management
commands ``import_transcripts`` and ``export_transcript`` are thin shells.

Each report carries its source reference (``source_name``, the file name, and
``source_checksum``, the SHA-256 of its bytes), so an import is safe to re-run:
an unchanged file is skipped, a changed one is refused unless ``replace=True``.

Speed comes from batches: files are read and parsed a batch at a time (never
all at once), then each batch is written in one transaction with
``bulk_create``, with speakers, organizations and topics cached by slug. A
file is validated (parsed, field lengths checked) before anything is written;
if a batch still fails in the database, it is retried file by file so a bad
file writes nothing and the others are kept.

On a large import with more than one core, worker processes parse (the pure
parser only, never the database) while this process writes: the next batch
is parsed while the current one is written, and at most ``PIPELINE_DEPTH``
batches are in flight, so memory stays flat.
"""

import hashlib
import multiprocessing
import os
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from .models import Organization, Quote, Report, Segment, SegmentKind, Speaker, Topic
from .text import quote_matches
from .transcripts import Parse, ParsedSegment, TranscriptError, parse_bytes, split_title

BATCH_FILES = 500
# A pool of parser processes pays off from this many files on (forking is cheap,
# but a small import is over before the workers have warmed up).
POOL_MIN_FILES = 200
MAX_WORKERS = 8
# Batches read and handed to the parsers ahead of the one being written.
PIPELINE_DEPTH = 2
CORRESPONDENT_ROLE = "Correspondent"
# Old segments of a replaced report move out of the way of the new positions
# (unique per report) until their quotes have found new homes.
POSITION_OFFSET = 1_000_000


class Refused(Exception):
    """A file that was not imported, with the line and the reason."""

    def __init__(self, path, line, reason):
        self.path, self.line, self.reason = str(path), line or 1, reason
        super().__init__(f"{self.path}:{self.line}: {self.reason}")

    def __reduce__(self):
        # Refusals come back from parser processes; the cause's traceback comes as text.
        cause = self.__cause__
        if cause is not None and not isinstance(cause, RemoteTraceback):
            cause = "".join(traceback.format_exception(cause))
        return _refused_with_cause, (self.path, self.line, self.reason, cause)


class RemoteTraceback(Exception):
    """The traceback of an error raised in a parser process, as text."""

    def __str__(self):
        return self.args[0]


def _refused_with_cause(path, line, reason, cause):
    refused = Refused(path, line, reason)
    if isinstance(cause, str):
        cause = RemoteTraceback(cause)
    refused.__cause__ = cause
    return refused


class ImportAborted(Exception):
    """The import stopped before the end (a parser process died); one line says why."""


@dataclass
class ImportCounts:
    files: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    segments: int = 0
    speakers: int = 0
    quotes: int = 0
    quotes_flagged: int = 0
    held_for_review: int = 0  # asked to publish, left in review: a segment needs review

    def summary(self):
        return (
            f"{self.files} files read: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed; {self.segments} segments, "
            f"{self.speakers} new speakers, {self.quotes} new quotes"
            + (f", {self.quotes_flagged} quotes flagged" if self.quotes_flagged else "")
            + (
                f"; {self.held_for_review} reports left in review, not published: "
                "segments need an editor to confirm their speaker"
                if self.held_for_review
                else ""
            )
        )


# Captions recur across an archive's files; splitting one is not free.
caption_parts = lru_cache(maxsize=100_000)(split_title)


@lru_cache(maxsize=100_000)
def slug_of(value):
    """The slug a name is known by (the base of ``text.unique_slug``); cached: names recur."""
    return (slugify(value, allow_unicode=True) or "item")[:192].strip("-") or "item"


# Text-format transcripts, and caption files (archive/transcripts/styles/captions.py).
TRANSCRIPT_SUFFIXES = (".txt", ".vtt", ".srt")


def find_transcripts(paths: Iterable[str]) -> list[str]:
    """Files as given, and the transcript files under folders, recursively, sorted."""
    found = []
    for path in paths:
        if Path(path).is_dir():
            found.extend(
                str(p)
                for p in sorted(Path(path).rglob("*"))
                if p.suffix in TRANSCRIPT_SUFFIXES and p.is_file()
            )
        else:
            found.append(str(path))
    return found


def read_bytes(path) -> bytes:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as err:
        raise Refused(path, 1, f"cannot read the file: {err.strerror or err}") from err


def parse_file(path, data: bytes) -> Parse:
    try:
        parse = parse_bytes(data, Path(path).name)
    except TranscriptError as err:
        raise Refused(path, err.line, err.reason) from err
    check_lengths(path, parse)
    return parse


def parse_transcripts(paths, *, on_refused=None, on_file=None) -> Iterator[tuple[str, Parse]]:
    """Parse files without touching the database; refused files go to ``on_refused``."""
    for path in find_transcripts(paths):
        try:
            yield path, parse_file(path, read_bytes(path))
        except Refused as refused:
            if on_refused:
                on_refused(refused)
        if on_file:
            on_file(path)


def check_lengths(path, parse: Parse):
    """Refuse, with its line, what the database columns could not hold."""
    where = next((s.line for s in parse.segments if s.kind == SegmentKind.SIGNOFF), None)
    where = where or (parse.segments[0].line if parse.segments else 1)
    checks = [(parse.title, 500, "the title", 1), (parse.dateline, 200, "the dateline", where)]
    checks += [(parse.outlet, 300, "the outlet", where)]
    checks += [(parse.correspondent, 200, "the correspondent's name", where)]
    checks += [(topic, 200, "a topic", 2) for topic in parse.topics]
    for segment in parse.segments:
        checks.append((segment.speaker, 200, "the speaker's name", segment.line))
        checks.append((segment.speaker_title, 300, "the speaker's title", segment.line))
    for value, limit, what, line in checks:
        if value and len(value) > limit:
            raise Refused(path, line, f"{what} is longer than {limit} characters")


@dataclass
class _File:
    path: str
    data: bytes
    name: str = ""
    stem: str = ""
    slug: str = ""
    checksum: str = ""
    parse: Parse | None = None
    parsed: Parse | Refused | None = None  # what a parser process made of it
    report_id: int | None = None  # the existing report a --replace rebuilds
    report_status: str = ""
    published: bool = False

    def __post_init__(self):
        path = Path(self.path)
        self.name, self.stem = path.name, path.stem
        self.checksum = hashlib.sha256(self.data).hexdigest()


@dataclass
class _Batch:
    """What a batch creates; merged into the importer's caches only once committed."""

    organizations: dict = field(default_factory=dict)
    topics: dict = field(default_factory=dict)
    speakers: dict = field(default_factory=dict)


@dataclass
class _Chunk:
    """A batch read from disk: files (or the refusal to read them), in order."""

    entries: list  # _File or Refused
    tasks: list = field(default_factory=list)  # (files, future) handed to the parsers

    @property
    def files(self):
        return [entry for entry in self.entries if isinstance(entry, _File)]

    @property
    def names(self):
        return {entry.name for entry in self.files}


def _parse_in_worker(items):
    """Run in a parser process: parse (path, bytes) pairs; a refusal is a result too."""
    results = []
    for path, data in items:
        try:
            results.append(parse_file(path, data))
        except Refused as refused:
            results.append(refused)
    return results


def _ignore_interrupts():
    # Ctrl-C reaches the whole process group; the importer's process handles it
    # and shuts the pool down, so a worker must not die of it mid-task.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def default_workers(file_count: int) -> int:
    """How many parser processes an import of ``file_count`` files uses (0: in-process).

    One core fewer than the machine has: this process is busy too, writing
    (SQLite works in it); one parser keeps up with the writes of one core.
    """
    cores = os.cpu_count() or 1
    if file_count <= POOL_MIN_FILES or cores < 2:
        return 0
    return min(cores - 1, MAX_WORKERS)


class _Importer:
    def __init__(self, *, publish, published_at, replace, on_refused, on_file, batch_size, workers):
        self.publish, self.replace = publish, replace
        self.published_at = published_at
        self.on_refused, self.on_file = on_refused, on_file
        self.batch_size = batch_size
        self.workers = workers
        self.counts = ImportCounts()
        # slug -> id, for rows known to exist in the database
        self.organizations, self.topics, self.speakers = {}, {}, {}

    def run(self, paths):
        paths = find_transcripts(paths)
        workers = default_workers(len(paths)) if self.workers is None else self.workers
        if workers and "fork" not in multiprocessing.get_all_start_methods():
            workers = 0  # a spawned worker would have to set Django up again
        if not workers:
            for chunk in self._chunks(paths):
                self._import_chunk(self._read(chunk))
            return self.counts
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_ignore_interrupts,
        )
        try:
            in_flight = deque()
            for chunk in self._chunks(paths):
                in_flight.append(self._read(chunk, pool, workers, in_flight))
                if len(in_flight) > PIPELINE_DEPTH:
                    self._import_chunk(in_flight.popleft())
            while in_flight:
                self._import_chunk(in_flight.popleft())
        finally:
            # Also on errors and Ctrl-C: queued batches are dropped, running ones end.
            pool.shutdown(wait=True, cancel_futures=True)
        return self.counts

    def _read(self, paths, pool=None, workers=0, in_flight=()):
        """Read a batch; with a pool, hand the files that may be written to the parsers."""
        entries = []
        for path in paths:
            try:
                entries.append(_File(path, read_bytes(path)))
            except Refused as refused:
                entries.append(refused)
        chunk = _Chunk(entries)
        if pool is not None:
            files = self._worth_parsing(chunk.files, set().union(*(c.names for c in in_flight)))
            size = -(-len(files) // workers)  # contiguous slices, one per worker
            for start in range(0, len(files), size or 1):
                part = files[start : start + size]
                future = pool.submit(_parse_in_worker, [(f.path, f.data) for f in part])
                chunk.tasks.append((part, future))
        return chunk

    def _worth_parsing(self, files, names_in_flight):
        """Files that may be written: not known unchanged, nor refused as changed.

        A guess made before the batches in flight are written; ``_match_existing``
        decides when this batch's turn comes, and a file it wants written that
        was not parsed here is parsed then. Files named like one in flight are
        always parsed, since writing that one may change the answer.
        """
        known = {}
        existing = Report.objects.filter(source_name__in={file.name for file in files})
        for name, checksum in existing.order_by("pk").values_list("source_name", "source_checksum"):
            known.setdefault(name, checksum)
        return [
            file
            for file in files
            if file.name in names_in_flight
            or file.name not in known
            or (self.replace and known[file.name] != file.checksum)
        ]

    @staticmethod
    def _collect(chunk):
        """Wait for the parsers' results of this batch."""
        for files, future in chunk.tasks:
            try:
                results = future.result()
            except BrokenProcessPool as err:
                raise ImportAborted(
                    "a parser process stopped abruptly (killed, or out of memory?); "
                    "the batches written before it are kept: run the import again"
                ) from err
            for file, result in zip(files, results, strict=True):
                file.parsed = result

    def _chunks(self, paths):
        """Batches of files; a second file of the same name starts a new batch."""
        chunk, names = [], set()
        for path in paths:
            name = Path(path).name
            if len(chunk) >= self.batch_size or name in names:
                yield chunk
                chunk, names = [], set()
            chunk.append(path)
            names.add(name)
        if chunk:
            yield chunk

    def _done(self, file_or_path, outcome):
        setattr(self.counts, outcome, getattr(self.counts, outcome) + 1)
        if self.on_file:
            self.on_file(getattr(file_or_path, "path", file_or_path))

    def _refuse(self, refused):
        if self.on_refused:
            self.on_refused(refused)
        self._done(refused.path, "failed")

    def _import_chunk(self, chunk):
        self.counts.files += len(chunk.entries)
        for entry in chunk.entries:
            if isinstance(entry, Refused):
                self._refuse(entry)
        self._collect(chunk)
        files = self._match_existing(chunk.files)
        ready = []
        for file in files:
            try:
                if isinstance(file.parsed, Refused):
                    raise file.parsed
                file.parse = file.parsed or parse_file(file.path, file.data)
            except Refused as refused:
                self._refuse(refused)
            else:
                ready.append(file)
        if not ready:
            return
        try:
            self._write_committed(ready)
        except DatabaseError:
            # Something only the database could see: find the file, keep the rest.
            for file in ready:
                try:
                    self._write_committed([file])
                except DatabaseError as err:
                    reason = str(err).strip().splitlines()[0] if str(err).strip() else "error"
                    self._refuse(Refused(file.path, 1, f"the database refused it: {reason}"))

    def _match_existing(self, files):
        """Skip unchanged files, refuse changed ones (unless replacing), give new ones slugs."""
        if not files:
            return files
        names = {file.name for file in files}
        slugs = {slug_of(file.stem) for file in files}
        existing = Report.objects.filter(Q(source_name__in=names) | Q(slug__in=slugs)).values(
            "pk", "slug", "source_name", "source_checksum", "status"
        )
        by_name, taken = {}, set()
        for report in existing.order_by("pk"):
            taken.add(report["slug"])
            by_name.setdefault(report["source_name"], report)
        pending = []
        for file in files:
            report = by_name.get(file.name)
            if report is None:
                file.slug = self._free_slug(slug_of(file.stem), taken)
                taken.add(file.slug)
                pending.append(file)
            elif report["source_checksum"] == file.checksum:
                self._done(file, "unchanged")
            elif not self.replace:
                self._refuse(
                    Refused(
                        file.path,
                        1,
                        f"changed since it was imported as report {report['slug']!r}; "
                        "--replace rebuilds the report",
                    )
                )
            else:
                file.slug, file.report_id = report["slug"], report["pk"]
                file.report_status = report["status"]
                pending.append(file)
        return pending

    @staticmethod
    def _free_slug(base, taken):
        # ``taken`` holds every existing slug equal to a base slug of this batch.
        if base not in taken:
            return base
        candidate, counter = f"{base}-2", 3
        while candidate in taken or Report.objects.filter(slug=candidate).exists():
            candidate = f"{base}-{counter}"
            counter += 1
        return candidate

    def _write_committed(self, files):
        batch = _Batch()
        with transaction.atomic():
            counts = self._write(files, batch)
        self.organizations.update(batch.organizations)
        self.topics.update(batch.topics)
        self.speakers.update(batch.speakers)
        for name, value in counts.items():
            setattr(self.counts, name, getattr(self.counts, name) + value)
        for file in files:
            self._done(file, "updated" if file.report_id else "created")

    # -- writing one batch ---------------------------------------------------

    def _write(self, files, batch):
        now = timezone.now()
        counts = {"segments": 0, "speakers": 0, "quotes": 0, "quotes_flagged": 0}
        counts["held_for_review"] = sum(
            1
            for file in files
            if self.publish
            and file.parse.needs_review
            and file.report_status != Report.Status.PUBLISHED
        )
        organizations, topics, people = self._entities(files)
        org_ids = self._ensure(Organization, self.organizations, batch.organizations, organizations)
        topic_ids = self._ensure(Topic, self.topics, batch.topics, topics)
        for fields in people.values():
            fields["organization_id"] = org_ids.get(fields.pop("organization"))
        speaker_ids = self._ensure(Speaker, self.speakers, batch.speakers, people)
        counts["speakers"] = len(batch.speakers)

        report_ids = self._write_reports(files, now, org_ids, speaker_ids)
        Through = Report.topics.through
        Through.objects.filter(report_id__in=[f.report_id for f in files if f.report_id]).delete()
        _insert_rows(
            Through,
            [
                {"report_id": report_ids[file.slug], "topic_id": topic_ids[slug]}
                for file in files
                for slug in dict.fromkeys(slug_of(topic) for topic in file.parse.topics)
            ],
        )

        replaced = [file for file in files if file.report_id]
        old = self._set_aside_old_segments(replaced)
        counts["segments"] = _insert_segments(
            (
                report_ids[file.slug],
                position,
                parsed.kind,
                speaker_ids[slug_of(parsed.speaker)] if parsed.speaker else None,
                parsed.speaker_title or "",
                parsed.text,
                parsed.start_seconds,
                parsed.end_seconds,
                parsed.speaker_basis,
                parsed.needs_review,
            )
            for file in files
            for position, parsed in enumerate(file.parse.segments, 1)
        )
        new_ids = [report_ids[file.slug] for file in files if not file.report_id]
        counts["quotes"] = _insert_soundbite_quotes(new_ids, now) if new_ids else 0
        if old:
            counts["quotes"] += self._rebuild_quotes(old, [file.report_id for file in replaced])
            counts["quotes_flagged"] = sum(1 for q in old["quotes"] if not q.matches_source)
            Segment.objects.filter(pk__in=[s["pk"] for s in old["segments"]]).delete()
        return counts

    def _rebuild_quotes(self, old, report_ids):
        """Reattach the curated quotes of replaced reports; quote the new sound bites."""
        segments = list(
            Segment.objects.filter(report_id__in=report_ids, position__lt=POSITION_OFFSET)
        )
        kept = self._reattach_quotes(old, segments)
        quotes = [
            Quote(segment_id=segment.pk, speaker_id=segment.speaker_id, text=segment.text)
            for segment in segments
            if segment.kind == SegmentKind.SOUNDBITE
            and segment.speaker_id
            and not segment.needs_review
            and segment.text not in kept.get(segment.pk, ())
        ]
        Quote.objects.bulk_create(quotes)
        return len(quotes)

    def _entities(self, files):
        """Organizations, topics and people the files name, in order of appearance."""
        organizations, topics, people = {}, {}, {}

        def organization(name):
            if name:
                organizations.setdefault(slug_of(name), {"name": name})
                return slug_of(name)
            return None

        for file in files:
            parse = file.parse
            outlet = organization(parse.outlet)
            for topic in parse.topics:
                topics.setdefault(slug_of(topic), {"name": topic})
            captions = {}
            for segment in parse.segments:
                if segment.speaker and segment.speaker_title and segment.kind != "standup":
                    captions.setdefault(slug_of(segment.speaker), segment.speaker_title)
            names = [parse.correspondent] + [s.speaker for s in parse.segments]
            for name in filter(None, names):
                slug = slug_of(name)
                known = people.get(slug)
                if known and (known["role"] or known["organization"]):
                    continue
                if slug in captions:
                    role, org = caption_parts(captions[slug])
                    fields = {"role": role or "", "organization": organization(org)}
                elif name == parse.correspondent:
                    fields = {"role": CORRESPONDENT_ROLE, "organization": outlet}
                else:
                    fields = {"role": "", "organization": None}
                people[slug] = {"name": known["name"] if known else name, **fields}
        return organizations, topics, people

    @staticmethod
    def _ensure(model, cache, created, wanted):
        """Ids by slug for ``wanted`` rows: cached, found, or bulk-created in order."""
        missing = [slug for slug in wanted if slug not in cache]
        found = dict(model.objects.filter(slug__in=missing).values_list("slug", "pk"))
        new = [model(slug=slug, **wanted[slug]) for slug in missing if slug not in found]
        model.objects.bulk_create(new)
        found.update((row.slug, row.pk) for row in new)
        created.update((row.slug, row.pk) for row in new)
        return {slug: cache.get(slug) or found[slug] for slug in wanted}

    def _write_reports(self, files, now, org_ids, speaker_ids):
        def fields(file):
            parse = file.parse
            return {
                "title": parse.title,
                "outlet_id": org_ids.get(slug_of(parse.outlet)) if parse.outlet else None,
                "correspondent_id": (
                    speaker_ids.get(slug_of(parse.correspondent)) if parse.correspondent else None
                ),
                "dateline": parse.dateline or "",
                "duration": (
                    timedelta(seconds=parse.duration_seconds)
                    if parse.duration_seconds is not None
                    else None
                ),
                "source_name": file.name,
                "source_text": file.data.decode("utf-8"),
                "source_checksum": file.checksum,
            }

        publication = {"status": Report.Status.PUBLISHED, "published_at": self.published_at or now}
        # workflow.publish_blockers' rule: a segment that needs review holds a report back.
        in_review = {"status": Report.Status.REVIEW}

        def publication_of(file):
            if not self.publish:
                return {}
            return in_review if file.parse.needs_review else publication

        new = [
            {
                "slug": file.slug,
                **fields(file),
                "status": Report.Status.DRAFT,
                "published_at": None,
                **publication_of(file),
                "withdrawal_reason": "",
                "correction": "",
                "created_at": now,
                "updated_at": now,
            }
            for file in files
            if not file.report_id
        ]
        _insert_rows(Report, new)
        ids = dict(
            Report.objects.filter(slug__in=[r["slug"] for r in new]).values_list("slug", "pk")
        )
        for file in files:
            if file.report_id:
                changes = fields(file)
                if self.publish and file.report_status != Report.Status.PUBLISHED:
                    changes.update(publication_of(file))
                Report.objects.filter(pk=file.report_id).update(updated_at=now, **changes)
                ids[file.slug] = file.report_id
        return ids

    @staticmethod
    def _set_aside_old_segments(replaced):
        if not replaced:
            return None
        report_ids = [file.report_id for file in replaced]
        old_segments = Segment.objects.filter(report_id__in=report_ids)
        old = {
            "segments": list(old_segments.values("pk", "report_id", "position")),
            "quotes": list(Quote.objects.filter(segment__report_id__in=report_ids)),
        }
        old_segments.update(position=F("position") + POSITION_OFFSET)
        return old

    @staticmethod
    def _reattach_quotes(old, segments):
        """Move curated quotes onto the rebuilt segments; flag those that match nothing.

        A quote goes to the new segment that contains its text, the same speaker's
        first, then the nearest to its old position; one that matches nowhere goes
        the same way to the nearest segment (its speaker's, if any), flagged,
        never deleted.
        """
        old_position = {s["pk"]: (s["report_id"], s["position"]) for s in old["segments"]}
        by_report = {}
        for segment in segments:
            by_report.setdefault(segment.report_id, []).append(segment)
        kept, moved = {}, []
        for quote in old["quotes"]:
            report_id, position = old_position[quote.segment_id]
            candidates = by_report.get(report_id)
            if not candidates:
                continue  # cannot happen: a parse always has a paragraph

            def distance(segment, position=position):
                return abs(segment.position - position)

            matching = [s for s in candidates if quote_matches(quote.text, s.text)]
            target = min(
                matching or candidates,
                key=lambda s: (s.speaker_id != quote.speaker_id, distance(s)),
            )
            quote.segment_id, quote.matches_source = target.pk, bool(matching)
            kept.setdefault(target.pk, set()).add(quote.text)
            moved.append(quote)
        Quote.objects.bulk_update(moved, ["segment", "matches_source"])
        return kept


def _columns(model, names):
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    return table, ", ".join(quote(model._meta.get_field(name).column) for name in names)


def _insert_rows(model, rows):
    """Insert rows (dicts of the same attnames) with one executemany.

    For the many rows of an archive, bulk_create's per-value work (model
    instances, preparing every field) costs more than the insert itself; here
    only the values that need it (times, durations) go through their field.
    """
    if not rows:
        return 0
    names = list(rows[0])
    fields = [model._meta.get_field(name) for name in names]
    prepared = [
        index
        for index, field in enumerate(fields)
        if field.get_internal_type() in ("DateTimeField", "DurationField")
    ]
    values = []
    for row in rows:
        value = list(row.values())
        for index in prepared:
            value[index] = fields[index].get_db_prep_save(value[index], connection)
        values.append(value)
    table, columns = _columns(model, names)
    marks = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
    return len(rows)


def _insert_segments(rows):
    """Insert segment rows with one executemany; return how many.

    Segments are most of an archive's rows, and bulk_create's per-value work
    (model instances, field preparation) costs more than the insert itself.
    The values are plain ints and strings the parser has already checked.
    """
    names = ["report", "position", "kind", "speaker", "speaker_title", "text"]
    names += ["start_seconds", "end_seconds", "speaker_basis", "needs_review"]
    table, columns = _columns(Segment, names)
    rows = list(rows)
    marks = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
    return len(rows)


def _insert_soundbite_quotes(report_ids, now):
    """One Quote per sound bite of these reports, in one INSERT ... SELECT; return how many."""
    quotes, quote_columns = _columns(
        Quote, ["segment", "speaker", "text", "featured", "matches_source", "created_at"]
    )
    segments, _ = _columns(Segment, ["id"])
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(report_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quotes} ({quote_columns}) "
            f"SELECT {quote('id')}, {quote('speaker_id')}, {quote('text')}, %s, %s, %s "
            f"FROM {segments} WHERE {quote('report_id')} IN ({marks}) "
            f"AND {quote('kind')} = %s AND {quote('speaker_id')} IS NOT NULL "
            # No quote under a name the parser was unsure of.
            f"AND {quote('needs_review')} = %s "
            f"ORDER BY {quote('id')}",
            [
                False,
                True,
                connection.ops.adapt_datetimefield_value(now),
                *report_ids,
                SegmentKind.SOUNDBITE.value,
                False,
            ],
        )
        return cursor.rowcount


def import_transcripts(
    paths: Iterable[str],
    *,
    publish: bool = False,
    published_at=None,
    replace: bool = False,
    on_refused: Callable[[Refused], None] | None = None,
    on_file: Callable[[str], None] | None = None,
    batch_size: int = BATCH_FILES,
    workers: int | None = None,
) -> ImportCounts:
    """Import transcript files (or folders of ``*.txt``) as reports; return the counts.

    New reports are drafts unless ``publish`` (then published at ``published_at``,
    or now). Refused files are passed to ``on_refused`` and write nothing;
    ``on_file`` is called once per file, whatever happened to it.

    ``workers`` parser processes parse while this process writes (``None``: one
    per core for a large import, ``0``: parse here). Raises ImportAborted when a
    parser process dies; the batches written before it are kept.
    """
    importer = _Importer(
        publish=publish or published_at is not None,
        published_at=published_at,
        replace=replace,
        on_refused=on_refused,
        on_file=on_file,
        batch_size=batch_size,
        workers=workers,
    )
    return importer.run(paths)


def report_as_parse(report: Report) -> Parse:
    """A stored report as the parse its transcript would give."""
    through = Report.topics.through.objects.filter(report=report).select_related("topic")
    segments = report.segments.select_related("speaker").order_by("position")
    return Parse(
        title=report.title,
        topics=[row.topic.name for row in through.order_by("pk")],
        duration_seconds=int(report.duration.total_seconds()) if report.duration else None,
        outlet=report.outlet.name if report.outlet else None,
        correspondent=report.correspondent.name if report.correspondent else None,
        dateline=report.dateline or None,
        segments=[
            ParsedSegment(
                kind=segment.kind,
                speaker=segment.speaker.name if segment.speaker else None,
                speaker_title=segment.speaker_title or None,
                text=segment.text,
                start_seconds=segment.start_seconds,
                end_seconds=segment.end_seconds,
            )
            for segment in segments
        ],
    )
