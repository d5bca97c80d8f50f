"""Transcript files in, reports out: the database side of the text format.

Plain functions with keyword arguments that return counts; the management
commands ``import_transcripts`` and ``export_transcript`` are thin shells.

Each report carries its source reference (``source_name``, the file name,
``source_path``, where the file was, and ``source_checksum``, the SHA-256 of
its bytes), so an import is safe to re-run: an unchanged file is skipped, a
changed one is refused unless ``replace=True``. A file is a version of an
earlier report when it has that report's name and either its bytes, its path,
or its title (line 1); any other file of the same name is another report
(:func:`same_source`).

Speed comes from batches: files are read and parsed a batch at a time (never
all at once), then each batch is written in one transaction with
``bulk_create``, with speakers, organizations and topics cached by slug. A
file is validated (parsed, field lengths checked) before anything is written;
if a batch still fails in the database, it is retried file by file so a bad
file writes nothing and the others are kept.

On a large import with more than one core, worker processes parse (the pure
parser only, never the database) while this process writes: the next batch
is parsed while the current one is written, and at most ``PIPELINE_DEPTH``
batches are in flight, so memory stays flat. The workers die with this process
(SIGKILL included) and keep none of its sockets, so no database connection.

Only regular files up to ``MAX_FILE_BYTES`` are read (a FIFO is never opened
for reading). Ctrl-C stops the import between two steps, never between a
batch's commit and its count: :class:`ImportInterrupted` carries what was
committed.
"""

import ctypes
import hashlib
import multiprocessing
import os
import re
import signal
import stat
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.text import slugify

from . import history
from .identity import matching as identity_matching
from .models import (
    Organization,
    Programme,
    Quote,
    Report,
    Segment,
    SegmentKind,
    Speaker,
    Topic,
    default_language,
    segment_time_error,
    split_air_time,
)
from .text import describe_forbidden, forbidden_character, quote_matches, text_problem
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
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the parser counts lines
# The largest transcript file read: a long broadcast is a few hundred kB.
MAX_FILE_BYTES = 10_000_000
# Enough of a file's start to hold its title line (500 characters, a byte-order mark).
TITLE_BYTES = 2_100


def printable(text: str) -> str:
    """``text`` on one line: control characters escaped, undecodable name bytes as \\xNN."""
    if text.isprintable():
        return text
    shown = []
    for char in text:
        if char.isprintable():
            shown.append(char)
        elif "\udc80" <= char <= "\udcff":  # os.fsdecode's stand-in for an undecodable byte
            shown.append(f"\\x{ord(char) - 0xDC00:02x}")
        else:
            shown.append(char.encode("unicode_escape", "backslashreplace").decode("ascii"))
    return "".join(shown)


class Refused(Exception):
    """A file that was not imported, with the line and the reason."""

    def __init__(self, path, line, reason):
        self.path, self.line, self.reason = str(path), line or 1, reason
        super().__init__(f"{printable(self.path)}:{self.line}: {self.reason}")

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


class ImportInterrupted(Exception):
    """Ctrl-C stopped the import; ``counts`` holds what was committed before it."""

    def __init__(self, counts):
        self.counts = counts
        super().__init__(counts.summary())


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
    """Files as given, and the transcript files under folders, recursively, sorted.

    A folder is searched whatever its name (``x.txt/`` too); any other entry in it
    with a transcript suffix is listed, so that one that is not a regular file is
    refused with its line rather than skipped without a word.
    """
    found = []
    for path in paths:
        if Path(path).is_dir():
            found.extend(
                str(p)
                for p in sorted(Path(path).rglob("*"))
                if p.suffix in TRANSCRIPT_SUFFIXES and not p.is_dir()
            )
        else:
            found.append(str(path))
    return found


_FILE_KINDS = [
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
]


def _check_regular(path, mode, size):
    if not stat.S_ISREG(mode):
        kind = next((kind for test, kind in _FILE_KINDS if test(mode)), "not a file")
        raise Refused(path, 1, f"not a regular file: {kind}")
    if size > MAX_FILE_BYTES:
        raise Refused(
            path, 1, f"the file is {size:,} bytes long, over the limit of {MAX_FILE_BYTES:,}"
        )


def read_bytes(path) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``; anything else is refused.

    A FIFO or a device is refused from its ``stat``, never opened for reading
    (a FIFO would wait for a writer for ever, a device may never end); the
    file is opened non-blocking and checked again, in case it was swapped.
    """
    try:
        info = os.stat(path)
        _check_regular(path, info.st_mode, info.st_size)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with open(fd, "rb") as file:
            info = os.fstat(fd)
            _check_regular(path, info.st_mode, info.st_size)
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise Refused(path, 1, f"cannot read the file: {err.strerror or err}") from err
    _check_regular(path, stat.S_IFREG, len(data))  # it grew while being read
    return data


def title_line(head: str) -> str:
    """The title a transcript's first line gives, as compared between versions of a file."""
    return " ".join(head.removeprefix("\ufeff").split("\n", 1)[0].split())


def same_source(file, reports):
    """The report, among those imported from files named like ``file``, that it is a version of.

    "The same file" is, in this order: the same bytes (then it is unchanged);
    the same path (the file was edited where it lies); the same title line (a
    corrected copy, from another folder). Another file of the same name is
    another report, e.g. an unrelated story from another feed.
    """
    for matches in (
        lambda report: report["source_checksum"] == file.checksum,
        lambda report: report["source_path"] == file.source_path,
        lambda report: bool(file.title) and title_line(report["head"]) == file.title,
    ):
        for report in reports:
            if matches(report):
                return report
    return None


def _reports_named(names):
    """Reports imported from files of these names, by name, oldest first."""
    by_name = {}
    reports = Report.objects.filter(source_name__in=names).annotate(
        head=Substr("source_text", 1, TITLE_BYTES)
    )
    for report in reports.order_by("pk").values(
        "pk", "slug", "source_name", "source_path", "source_checksum", "status", "head"
    ):
        by_name.setdefault(report["source_name"], []).append(report)
    return by_name


def parse_file(path, data: bytes) -> Parse:
    try:
        parse = parse_bytes(data, Path(path).name)
    except TranscriptError as err:
        raise Refused(path, err.line, err.reason) from err
    check_lengths(path, parse)
    check_text(path, data, parse)
    check_times(path, parse)
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
    checks += [(parse.programme, 300, "the programme", 1), (parse.language, 35, "the language", 1)]
    checks += [(parse.source_url, 1000, "the source URL", 1)]
    checks += [(parse.media_url, 1000, "the media URL", 1)]
    for segment in parse.segments:
        checks.append((segment.speaker, 200, "the speaker's name", segment.line))
        checks.append((segment.speaker_title, 300, "the speaker's title", segment.line))
    for value, limit, what, line in checks:
        if value and len(value) > limit:
            raise Refused(path, line, f"{what} is longer than {limit} characters")


def check_text(path, data: bytes, parse: Parse):
    """Refuse, with its line, text the archive does not accept (archive/text.py).

    The whole file is checked: it is stored as the report's source text, and
    every value of the parse is taken from it, but the topics, where a JSON
    escape (``["\\u0001"]``, ``["\\ud800"]``) makes a character the file does not hold.
    """
    source = data.decode("utf-8")  # parse_bytes has decoded it already
    if match := forbidden_character(source):
        line = len(LINE_BREAK.findall(source, 0, match.start())) + 1
        raise Refused(path, line, f"the file {describe_forbidden(match.group())}")
    for topic in parse.topics:
        if problem := text_problem(topic):
            raise Refused(path, 2, f"a topic {problem}")


def check_times(path, parse: Parse):
    """Refuse, with its line, a segment that starts before the one before it."""
    timed = [(index, s.start_seconds) for index, s in enumerate(parse.segments, 1)]
    if error := segment_time_error(timed):
        position = int(error.split()[1])
        raise Refused(path, parse.segments[position - 1].line, error)


def aired_fields(aired_at: str | None) -> dict:
    """The parse's ISO `aired_at` as the report's air day, time and UTC offset."""
    value = None
    if aired_at:
        value = (
            datetime.fromisoformat(aired_at) if "T" in aired_at else date.fromisoformat(aired_at)
        )
    day, time, offset = split_air_time(value)
    return {"aired_on": day, "aired_time": time, "aired_utc_offset": offset}


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
    source_path: str = ""
    title: str = ""

    def __post_init__(self):
        path = Path(self.path)
        # Stored as shown: a file name may hold any byte but "/" and NUL.
        self.name, self.stem = printable(path.name), path.stem
        # An upload from the desk has no path on this machine: it is given one.
        self.source_path = self.source_path or printable(os.path.abspath(self.path))
        self.checksum = hashlib.sha256(self.data).hexdigest()
        self.title = title_line(self.data[:TITLE_BYTES].decode("utf-8", "replace"))


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


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_parser(parent):
    """Initialize a parser process: it dies with ``parent`` and holds none of its sockets."""
    # Ctrl-C reaches the whole process group; the importer's process handles it
    # and shuts the pool down, so a worker must not die of it mid-task.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:  # Linux: the kernel kills this process when the parent dies, SIGKILL included
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before prctl took effect
        os._exit(1)
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    _drop_inherited_sockets()


def _exit_when_orphaned(parent, interval=1.0):
    """Where prctl is missing: an orphan is adopted by another process; then stop."""
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


def _drop_inherited_sockets():
    """Point every socket forked from the parent (its database connection) at /dev/null.

    The pool talks over pipes, not sockets. Closing the parent's connection
    here would end its session (the protocol's goodbye goes to the server);
    pointing the descriptor elsewhere only lets go of it, and a descriptor
    that stays valid cannot be reused by mistake.
    """
    try:
        descriptors = [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        descriptors = range(3, os.sysconf("SC_OPEN_MAX"))
    devnull = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    try:
        for fd in descriptors:
            try:
                if fd != devnull and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(devnull, fd)
            except OSError:
                continue
    finally:
        os.close(devnull)


class _Interrupts:
    """Ctrl-C for the import: it stops at once, but never between a commit and its count.

    While held, a Ctrl-C waits until ``release``; after the first one, more are
    ignored while the import cleans up (rolls back, stops the workers).
    """

    def __init__(self):
        self.holding = self.pending = self.stopping = False
        self.previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def _handle(self, signum, frame):
        if self.stopping:
            return
        if self.holding:
            self.pending = True
            return
        self.stopping = True
        raise KeyboardInterrupt

    def hold(self):
        self.holding = True

    def release(self):
        if self.holding:
            self.holding = False
            if self.pending:
                self.pending, self.stopping = False, True
                raise KeyboardInterrupt


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
    def __init__(
        self,
        *,
        publish,
        published_at,
        replace,
        on_refused,
        on_file,
        batch_size,
        workers,
        may_replace=None,
        created_by=None,
    ):
        self.publish, self.replace = publish, replace
        self.may_replace, self.created_by = may_replace, created_by
        self.published_at = published_at
        self.on_refused, self.on_file = on_refused, on_file
        self.batch_size = batch_size
        self.workers = workers
        self.counts = ImportCounts()
        # slug -> id, for rows known to exist in the database
        self.organizations, self.topics, self.speakers = {}, {}, {}
        self.interrupts = _Interrupts()

    def run(self, paths):
        with self.interrupts:
            try:
                return self._run(paths)
            except KeyboardInterrupt:
                raise ImportInterrupted(self.counts) from None

    def run_uploads(self, uploads):
        """Import files already read (``Upload``), in this process, batch by batch."""
        files = []
        for upload in uploads:
            try:
                _check_regular(upload.name, stat.S_IFREG, len(upload.data))
            except Refused as refused:
                self.counts.files += 1
                self._refuse(refused)
            else:
                files.append(_File(upload.name, upload.data, source_path=upload.source_path))
        with self.interrupts:
            try:
                for chunk in self._chunks(files):
                    self._import_chunk(_Chunk(chunk))
                return self.counts
            except KeyboardInterrupt:
                raise ImportInterrupted(self.counts) from None

    def _run(self, paths):
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
            initializer=_start_parser,
            initargs=(os.getpid(),),
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
        by_name = _reports_named({file.name for file in files})
        worth = []
        for file in files:
            report = same_source(file, by_name.get(file.name, ()))
            if (
                file.name in names_in_flight
                or report is None
                or (self.replace and report["source_checksum"] != file.checksum)
            ):
                worth.append(file)
        return worth

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
            name = path.name if isinstance(path, _File) else Path(path).name
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
                _refuse_unsure_over_published(file)
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
        by_name = _reports_named({file.name for file in files})
        slugs = {slug_of(file.stem) for file in files}
        taken = set(Report.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        pending = []
        for file in files:
            report = same_source(file, by_name.get(file.name, ()))
            if report is None:
                file.slug = self._free_slug(slug_of(file.stem), taken)
                taken.add(file.slug)
                pending.append(file)
            elif report["source_checksum"] == file.checksum:
                self._done(file, "unchanged")
            elif not self.replace:
                elsewhere = report["source_path"] not in ("", file.source_path)
                self._refuse(
                    Refused(
                        file.path,
                        1,
                        f"changed since it was imported as report {report['slug']!r}"
                        + (f" from {report['source_path']}" if elsewhere else "")
                        + "; --replace rebuilds the report",
                    )
                )
            elif self.may_replace and (reason := self.may_replace(report)):
                self._refuse(Refused(file.path, 1, reason))
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
        try:
            with transaction.atomic():
                counts = self._write(files, batch)
                self.interrupts.hold()  # the commit and its count go together
            self.organizations.update(batch.organizations)
            self.topics.update(batch.topics)
            self.speakers.update(batch.speakers)
            for name, value in counts.items():
                setattr(self.counts, name, getattr(self.counts, name) + value)
            for file in files:
                self._done(file, "updated" if file.report_id else "created")
        finally:
            self.interrupts.release()

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
        # Another spelling of a known speaker (an alias, a merge, accents) is that speaker;
        # two spellings of a new one in this batch make one speaker.
        matched, spellings = identity_matching.other_spellings(people)
        wanted = {slug: fields for slug, fields in people.items() if slug not in spellings}
        speaker_ids = self._ensure(Speaker, {**matched, **self.speakers}, batch.speakers, wanted)
        speaker_ids.update({slug: speaker_ids[first] for slug, first in spellings.items()})
        counts["speakers"] = len(batch.speakers)

        programmes = {
            slug_of(f.parse.programme): {
                "name": f.parse.programme,
                "outlet_id": org_ids.get(slug_of(f.parse.outlet)) if f.parse.outlet else None,
            }
            for f in files
            if f.parse.programme
        }
        programme_ids = self._ensure(Programme, {}, {}, programmes)
        report_ids = self._write_reports(files, now, org_ids, speaker_ids, programme_ids)
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
        # The "as imported" revision is the uploader's when the desk imports.
        imported = {report_ids[file.slug]: file.name for file in files}
        history.record_as_imported(imported, user=self.created_by)
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

    def _write_reports(self, files, now, org_ids, speaker_ids, programme_ids):
        def fields(file):
            parse = file.parse
            return {
                "programme_id": programme_ids[slug_of(parse.programme)]
                if parse.programme
                else None,
                **aired_fields(parse.aired_at),
                "language": parse.language or default_language(),
                "source_url": parse.source_url or "",
                "media_url": parse.media_url or "",
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
                "source_path": file.source_path,
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
                "created_by_id": self.created_by.pk if self.created_by else None,
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
        never deleted. A segment holds one quote of a text: a second quote of the
        same words goes to the next segment that has none, flagged if it does
        not occur there.
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

            free = [s for s in candidates if quote.text not in kept.get(s.pk, ())]
            matching = [s for s in free if quote_matches(quote.text, s.text)]
            target = min(
                matching or free or candidates,
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
        if field.get_internal_type() in ("DateTimeField", "DurationField", "DateField", "TimeField")
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
        aired_at=_iso(report.aired_at),
        programme=report.programme.name if report.programme else None,
        # The site's language is what a file without a Language: line gets.
        language=report.language if report.language != default_language() else None,
        source_url=report.source_url or None,
        media_url=report.media_url or None,
    )


def _iso(aired_at) -> str | None:
    if aired_at is None or not isinstance(aired_at, datetime):
        return aired_at.isoformat() if aired_at else None
    return aired_at.isoformat(timespec="seconds" if aired_at.second else "minutes")


def _refuse_unsure_over_published(file):
    """workflow.publish_blockers' rule for ``--replace``: a published report keeps sure speakers.

    Rebuilding a published (or scheduled) report from text with segments that need
    review would put them before the public unconfirmed, so the file is refused.
    """
    if file.report_status == Report.Status.PUBLISHED and file.parse.needs_review:
        unsure = [segment for segment in file.parse.segments if segment.needs_review]
        raise Refused(
            file.path,
            unsure[0].line or 1,
            f"report {file.slug!r} is published and {len(unsure)} segment"
            f"{'s' if len(unsure) != 1 else ''} of the new text need review; "
            "move the report back to review first, or correct the cues",
        )


# -- uploads from the desk (archive/admin/importing/) --------------------------


@dataclass(frozen=True)
class Upload:
    """A transcript that came from the browser: its name (a zip's member path), its bytes,
    and what its report records as where it was (it has no path on this machine)."""

    name: str
    data: bytes
    source_path: str


@dataclass
class FilePlan:
    """What importing one upload would do: ``outcome`` is new, unchanged, changed or refused.

    ``reason`` is the one line of a refusal, or why a changed file may not replace
    its report; ``report`` is the report a file is a version of.
    """

    upload: Upload
    outcome: str
    reason: str = ""
    parse: Parse | None = None
    report: dict | None = None

    @property
    def summary(self):
        return parse_summary(self.parse) if self.parse else None


def parse_summary(parse: Parse) -> dict:
    """What importing ``parse`` makes: its style, speakers with their titles, segments by kind."""
    speakers = {}
    for segment in parse.segments:
        if segment.speaker:
            captions = speakers.setdefault(segment.speaker, set())
            if segment.speaker_title:
                captions.add(segment.speaker_title)
    return {
        "style": parse.style,
        "segments": len(parse.segments),
        "kinds": dict(sorted(Counter(segment.kind for segment in parse.segments).items())),
        "speakers": {name: sorted(captions) for name, captions in speakers.items()},
        "needs_review": sum(1 for segment in parse.segments if segment.needs_review),
        "warnings": list(parse.warnings),
    }


def plan_uploads(uploads: list[Upload], *, may_replace=None) -> list[FilePlan]:
    """What :func:`import_uploads` would do with each upload, writing nothing.

    The import's own checks (size, parse, lengths, text, times) and its matching
    (:func:`same_source`); ``may_replace(report)`` gives the reason a changed
    file may not replace its report, or nothing.
    """
    files = [_File(upload.name, upload.data, source_path=upload.source_path) for upload in uploads]
    by_name = _reports_named({file.name for file in files})
    plans = []
    for upload, file in zip(uploads, files, strict=True):
        try:
            _check_regular(file.path, stat.S_IFREG, len(file.data))
            parse = parse_file(file.path, file.data)
        except Refused as refused:
            plans.append(FilePlan(upload, "refused", reason=str(refused)))
            continue
        report = same_source(file, by_name.get(file.name, ()))
        if report is None:
            plans.append(FilePlan(upload, "new", parse=parse))
        elif report["source_checksum"] == file.checksum:
            plans.append(FilePlan(upload, "unchanged", parse=parse, report=report))
        else:
            reason = (may_replace(report) if may_replace else None) or ""
            plans.append(FilePlan(upload, "changed", reason, parse, report))
    return plans


def import_uploads(
    uploads: list[Upload],
    *,
    replace: bool = False,
    may_replace: Callable[[dict], str | None] | None = None,
    created_by=None,
    on_refused: Callable[[Refused], None] | None = None,
) -> ImportCounts:
    """Import uploads as draft reports, as :func:`import_transcripts` imports files.

    The same checks, matching, refusals and batches (atomic per file); nothing
    is published. ``may_replace(report)`` returns why a changed file may not
    replace that report (refused with that reason), or nothing; new reports
    record ``created_by``.
    """
    importer = _Importer(
        publish=False,
        published_at=None,
        replace=replace,
        on_refused=on_refused,
        on_file=None,
        batch_size=BATCH_FILES,
        workers=0,
        may_replace=may_replace,
        created_by=created_by,
    )
    return importer.run_uploads(uploads)
