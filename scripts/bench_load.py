"""Load and fault tests against a real gunicorn on 127.0.0.1 (`make bench-load`).

For each database (SQLite, and PostgreSQL when it answers) this script:

(a) readers and editors together: readers fetch public pages (and search,
    where the site has it) while editors log in to the admin and save reports
    through the change form, and `import_transcripts` loads 1,000 generated
    transcripts. A readers-only run first gives the baseline the figures are
    compared with. Afterwards: no 5xx, no "database is locked" in the server
    log, every save and every imported report present and complete.
(b) crash: an import killed with SIGKILL halfway leaves no partial report, and
    running it again completes the archive with nothing duplicated; a gunicorn
    worker killed with SIGKILL under load is replaced, and no request fails
    beyond the one the worker had in flight.
(c) two app servers, one cache: two gunicorns on two ports with
    CACHE_URL=redis://127.0.0.1:6379/0 (BENCH_REDIS_URL) share the page cache;
    reads per second alone and under saves (under saves at least half), a save
    through one server seen on the next request to the other, and the
    workers' resident memory before and after 10,000 mixed requests.

Everything is bounded: each phase by time and by request count, each
subprocess by a timeout. Exit status 0 only when every check held.

    .venv/bin/python scripts/bench_load.py [--transcripts 1000] [--seconds 20]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ra_bench_load (the default)
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/ra_bench_load"
WORKERS = 4
READERS = 6
EDITORS = 2
EDIT_TARGETS = 12  # reports the editors take turns saving
MAX_REQUESTS = 20_000  # per phase, whatever the clock says
SUBPROCESS_TIMEOUT = 900


# --- generated transcripts (DESIGN.md text format, version 1) -------------

FIRST = ["Jana", "Petr", "Amira", "Kofi", "Lena", "Tomás", "Yuki", "Olu", "Marta", "Ravi"]
LAST = ["Novak", "Horak", "Haddad", "Mensah", "Berg", "Ruiz", "Sato", "Adeyemi", "Kowalska", "Rao"]
PLACES = ["Prague", "Accra", "Lisbon", "Osaka", "Lagos", "Warsaw", "Pune", "Bergen"]
TITLES = ["MINISTER OF TRADE", "MAYOR", "ECONOMIST, CITY UNIVERSITY", "FARMER", "SPOKESWOMAN"]


def transcript(prefix, n):
    rnd = random.Random(f"{prefix}{n}")
    correspondent = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
    place = rnd.choice(PLACES)
    guest = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
    while guest == correspondent:
        guest = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
    lines = [
        f"{prefix} report {n:04d}: the harbour in {place} reopens",
        json.dumps(["Bench", rnd.choice(["Economy", "Transport", "Weather"])]),
        f"0{rnd.randint(1, 4)}:{rnd.randint(10, 59)}",
        f"CGTN's {correspondent} in {place} sends this report.",
        f"The harbour of {place} opened again on Monday after {n % 9 + 2} weeks of repairs.",
        f'{guest.upper()}, {rnd.choice(TITLES)} "We expect the ships back within days, '
        f'and the trade with them."',
        "Dock workers say the new cranes double what the port can handle in a day.",
        f'{correspondent.upper()} {place.upper()} "Whether the trade returns as fast is the '
        f'question the whole city is asking."',
        f"{correspondent}, CGTN, {place}.",
    ]
    return "\n".join(lines) + "\n"


def write_transcripts(folder, prefix, count):
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        (folder / f"{prefix.lower()}-{n:04d}.txt").write_text(transcript(prefix, n), "utf-8")
    return folder


# --- a small HTTP client: one connection per request, cookies by hand ------
# (gunicorn's sync workers close each connection; the session and CSRF cookies
# are Secure, which http.cookiejar would never send over plain HTTP.)


class Result:
    def __init__(self, status, seconds, body=b"", headers=None, error=None):
        self.status, self.seconds, self.body = status, seconds, body
        self.headers, self.error = headers or {}, error


class Browser:
    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None, timeout=60):
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            return Result(None, time.perf_counter() - start, error=repr(error))
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        return Result(response.status, time.perf_counter() - start, payload, dict(response.headers))


class FormParser(HTMLParser):
    """The fields a browser would submit from the page's main form."""

    def __init__(self, form_id=None):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, form_id is None, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and self.form_id is not None:
            self.inside = a.get("id") == self.form_id
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The HTML parser does not drop the newline after <textarea>; browsers do.
            name, text = self._textarea
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form" and self.form_id is not None:
            self.inside = False


def form_fields(html, form_id=None):
    parser = FormParser(form_id)
    parser.feed(html)
    return parser.fields


# --- measurements -----------------------------------------------------------


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {"read": [], "save": []}
        self.statuses = Counter()
        self.failures = []  # (time, what, path)

    def add(self, kind, path, result):
        with self.lock:
            self.latencies[kind].append(result.seconds)
            self.statuses[result.status or "no response"] += 1
            if result.status is None or result.status >= 500:
                self.failures.append((time.monotonic(), result.status or result.error, path))

    @property
    def count(self):
        return sum(self.statuses.values())

    def server_errors(self):
        return sum(
            n for status, n in self.statuses.items() if status == "no response" or status >= 500
        )


def p95(values):
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20)[-1]


def describe(name, tally, seconds, baseline=None):
    reads = tally.latencies["read"]
    saves = tally.latencies["save"]
    rate = len(reads) / seconds if seconds else 0
    line = (
        f"  {name:<28} {tally.count:6d} requests  {rate:7.1f} reads/s  "
        f"read p95 {p95(reads) * 1000:7.1f} ms"
    )
    if saves:
        line += f"  saves {len(saves)} (p95 {p95(saves) * 1000:.0f} ms)"
    if baseline:
        base_rate, base_p95 = baseline
        line += f"  [x{rate / base_rate:.2f} rate, x{p95(reads) / base_p95:.2f} p95 vs baseline]"
    print(line)
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items(), key=str))
    print(f"  {'':<28} statuses {statuses}")
    return rate, p95(reads)


# --- the server -------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, timeout=SUBPROCESS_TIMEOUT, check=True):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result


class Gunicorn:
    def __init__(self, env, log_path):
        self.port = free_port()
        self.log_path = log_path
        self.log = open(log_path, "ab")  # noqa: SIM115 (closed in stop)
        env = env | {"GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(WORKERS)}
        self.process = subprocess.Popen(
            [Path(PYTHON).with_name("gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if Browser(self.port).request("GET", "/", timeout=5).status == 200:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        self.stop()
        sys.exit(f"gunicorn did not start; see {log_path}")

    def workers(self):
        """The master's live children, read from /proc (pids only; nothing by name)."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def log_text(self):
        return Path(self.log_path).read_text(errors="replace")


# --- the load ---------------------------------------------------------------


def reader(port, paths, tally, stop):
    browser = Browser(port)
    rnd = random.Random()
    while not stop.is_set() and tally.count < MAX_REQUESTS:
        path = rnd.choice(paths)
        tally.add("read", path, browser.request("GET", path))


def log_in(port, username, password):
    browser = Browser(port)
    page = browser.request("GET", "/admin/login/?next=/admin/")
    fields = dict(form_fields(page.body.decode(), "login-form"))
    fields.update(username=username, password=password)
    result = browser.request("POST", "/admin/login/?next=/admin/", fields)
    if result.status != 302:
        raise RuntimeError(f"{username} could not log in: HTTP {result.status}")
    return browser


def editor(port, username, password, targets, saved, change_url, tally, stop):
    """Open a report's change form, retitle it, save; remember the title that was saved."""
    browser = log_in(port, username, password)
    n = 0
    while not stop.is_set() and tally.count < MAX_REQUESTS:
        pk = targets[n % len(targets)]
        n += 1
        url = change_url(pk)
        form = browser.request("GET", url)
        tally.add("read", url, form)
        if form.status != 200:
            continue
        fields = [(k, v) for k, v in form_fields(form.body.decode(), "report_form") if k != "title"]
        title = f"Edited by {username}, save {n}"
        result = browser.request("POST", url, [*fields, ("title", title), ("_save", "Save")])
        tally.add("save", url, result)
        if result.status == 302:
            saved[pk] = title
        elif result.status < 500:
            html = result.body.decode()
            errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
            with tally.lock:
                tally.failures.append((time.monotonic(), f"refused {result.status}", errors[:2]))


def run_load(port, reader_paths, seconds, editors=None):
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=reader, args=(port, reader_paths, tally, stop), daemon=True)
        for _ in range(READERS)
    ]
    for spec in editors or []:
        args = (port, *spec, tally, stop)
        threads.append(threading.Thread(target=editor, args=args, daemon=True))
    start = time.monotonic()
    for thread in threads:
        thread.start()
    return tally, stop, threads, start


def finish(stop, threads, start):
    stop.set()
    for thread in threads:
        thread.join(timeout=120)
    return time.monotonic() - start


# --- one database -------------------------------------------------------------


class Checks:
    """Faults (a 5xx, a lost save, an incomplete report) fail the run; speed targets are
    printed PASS/FAIL beside them and do not, as the README says."""

    def __init__(self):
        self.failed = []
        self.missed_targets = []

    def __call__(self, ok, what):
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            self.failed.append(what)

    def target(self, ok, what):
        print(f"  {'PASS' if ok else 'FAIL'} target: {what}")
        if not ok:
            self.missed_targets.append(what)


def run_target(args):
    """Runs in a child process whose environment names the database."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import get_commands
    from django.db import connection
    from django.urls import Resolver404, resolve, reverse

    from archive.models import Report, Segment

    env = dict(os.environ)
    vendor = connection.vendor
    work = Path(tempfile.mkdtemp(prefix=f"bench-load-{vendor}-"))
    check = Checks()
    print(f"\n== {vendor}: {connection.settings_dict['NAME']}  (work files in {work})")

    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "loaddata", "archive", "-v0")
    password = secrets.token_urlsafe(16)
    editors = []
    for n in range(EDITORS):
        get_user_model().objects.create_superuser(f"bench-editor-{n}", password=password)
    targets = []
    for n in range(EDIT_TARGETS):
        report = Report.objects.create(title=f"Edit target {n}", source_name=f"edit-{n}")
        Segment.objects.create(report=report, position=1, text=f"Words of target {n}.")
        targets.append(report.pk)
    connection.close()

    def change_url(pk):
        return reverse("admin:archive_report_change", args=[pk])

    saved = {}
    for n in range(EDITORS):
        mine = targets[n::EDITORS]  # editors never save the same report at once
        editors.append((f"bench-editor-{n}", password, mine, saved, change_url))

    seed = Report.objects.public().first()
    reader_paths = ["/", "/reports/", "/speakers/", "/quotes/", seed.get_absolute_url()]
    reader_paths += ["/static/archive/site.css"]
    try:
        resolve("/search/")
        reader_paths += ["/search/?q=harbour", "/search/?q=Skolkovo", "/search/?q=trade+cranes"]
        has_search = True
    except Resolver404:
        has_search = False
    has_importer = "import_transcripts" in get_commands()
    print(f"  search: {'yes' if has_search else 'NOT on this branch: readers skip it'}")
    print(f"  import_transcripts: {'yes' if has_importer else 'NOT on this branch: not run'}")

    if args.shared_only:
        shared_cache_test(check, env, work, args, reader_paths, editors)
        return check.failed
    server = Gunicorn(env, work / "gunicorn.log")
    try:
        # Baseline: readers alone.
        tally, stop, threads, start = run_load(server.port, reader_paths, 0)
        time.sleep(args.seconds / 2)
        baseline = describe("(a) baseline: readers only", tally, finish(stop, threads, start))

        # Readers, editors and an import together.
        source = write_transcripts(work / "transcripts", "Bench", args.transcripts)
        tally, stop, threads, start = run_load(server.port, reader_paths, 0, editors)
        importer = import_ended = None
        if has_importer:
            importer = subprocess.Popen(
                [PYTHON, "manage.py", "import_transcripts", str(source)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(work / "import.log", "wb"),  # noqa: SIM115
            )
            ended = []
            import_ended = threading.Thread(
                target=lambda: (importer.wait(), ended.append(time.monotonic())), daemon=True
            )
            import_ended.start()
        # The backup starts once the import has committed something, so that its
        # snapshot falls in the middle of the import.
        imported = Report.objects.filter(title__startswith="Bench report ")
        while time.monotonic() < start + args.seconds / 2 and importer and importer.poll() is None:
            if imported.exists():
                break
            time.sleep(0.1)
        connection.close()
        backup = work / "during-load.json"
        backup_done = []
        backup_thread = threading.Thread(
            target=lambda: backup_done.append(
                (manage(env, "backup_archive", str(backup), check=False), time.monotonic())
            ),
            daemon=True,
        )
        backup_started = time.monotonic()
        backup_thread.start()
        time.sleep(max(0.0, start + args.seconds - time.monotonic()))
        if importer:
            import_ended.join(timeout=SUBPROCESS_TIMEOUT)
        backup_thread.join(timeout=SUBPROCESS_TIMEOUT)
        elapsed = finish(stop, threads, start)
        describe("(a) readers+editors+import", tally, elapsed, baseline)
        backup_result, backup_end = backup_done[0]
        print(f"  {'':<28} backup_archive during the load: {backup_end - backup_started:.1f} s")
        if importer:
            import_seconds = ended[0] - start
            rate = args.transcripts / import_seconds
            print(
                f"  {'':<28} import: {args.transcripts} transcripts in {import_seconds:.1f} s "
                f"({rate:.0f}/s) under load, exit {importer.returncode}"
            )
        log = server.log_text()
        check(tally.server_errors() == 0, f"no 5xx or dropped request ({tally.server_errors()})")
        check("database is locked" not in log, 'no "database is locked" in the server log')
        check("Traceback" not in log, "no traceback in the server log")
        check(not tally.failures, f"no refused save ({tally.failures[:3]})")
        summary = backup_result.stdout.strip() or backup_result.stderr.strip()
        check(backup_result.returncode == 0, f"backup during the load: {summary}")
        if backup_result.returncode == 0:
            check_backup_consistent(check, backup)
        titles = dict(Report.objects.filter(pk__in=saved).values_list("pk", "title"))
        check(
            bool(saved) and titles == saved,
            f"every save present: {len(saved)} reports, last titles match",
        )
        if importer:
            check(importer.returncode == 0, "import exited 0")
            imported = Report.objects.filter(title__startswith="Bench report ")
            check(imported.count() == args.transcripts, f"{imported.count()} imported reports")
            check_complete(check, imported, "every imported report complete")
        connection.close()

        # (b) An import killed halfway, then run again.
        if has_importer:
            crash_test(check, env, work, args)
        connection.close()

        # (b) A worker killed under load.
        tally, stop, threads, start = run_load(server.port, reader_paths, 0)
        time.sleep(args.seconds / 4)
        before = server.workers()
        victim = before[0]
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        time.sleep(args.seconds / 2)
        after = server.workers()
        describe("(b) worker killed under load", tally, finish(stop, threads, start), baseline)
        failed = [f for f in tally.failures if f[0] >= killed_at - 1]
        print(
            f"  {'':<28} killed worker {victim}; workers {before} -> {after}; "
            f"failed requests: {len(failed)} {failed[:2]}"
        )
        check(victim not in after and len(after) == WORKERS, "the killed worker was replaced")
        check(len(failed) <= 1, "no request failed beyond the one in flight")
    finally:
        server.stop()
    shared_cache_test(check, env, work, args, reader_paths, editors)
    if not check.failed:  # kept for a look when something failed
        shutil.rmtree(work)
    return check.failed


def check_complete(check, reports, what):
    """Each report has exactly the segments its transcript gives: 6 paragraphs, 6 segments."""
    from django.db.models import Count

    counts = Counter(reports.annotate(n=Count("segments")).values_list("n", flat=True))
    check(set(counts) == {6}, f"{what}: segments per report {dict(counts)}")


def check_backup_consistent(check, path):
    """A backup taken mid-import holds whole reports only: each with all 6 segments.

    The importer names a report's slug after its file (bench-0001.txt: bench-0001).
    """
    rows = json.loads(path.read_text(encoding="utf-8"))
    reports = {r["fields"]["slug"] for r in rows if r["model"] == "archive.report"}
    segments = Counter(r["fields"]["report"][0] for r in rows if r["model"] == "archive.segment")
    bench = {slug for slug in reports if re.fullmatch(r"bench-\d+", slug)}
    counts = Counter(segments[slug] for slug in bench)
    check(
        not bench or set(counts) == {6},
        f"backup taken mid-import is consistent: {len(bench)} imported reports in it, "
        f"segments per report {dict(counts)}",
    )


def crash_test(check, env, work, args):
    from archive.models import Report

    # The importer commits a batch of files per transaction: import enough for
    # two and a half batches, and kill it once the first batch is in.
    try:
        from archive.importer import BATCH_FILES
    except ImportError:
        BATCH_FILES = 1
    count = max(args.transcripts // 2, BATCH_FILES * 5 // 2, 50)
    source = write_transcripts(work / "crash", "Crash", count)
    mine = Report.objects.filter(title__startswith="Crash report ")
    process = subprocess.Popen(
        [PYTHON, "manage.py", "import_transcripts", str(source)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + SUBPROCESS_TIMEOUT
    while not mine.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    at_kill = mine.count()
    print(f"  (b) import of {count} killed with SIGKILL after {at_kill} reports")
    check(0 < at_kill < count, "the kill landed halfway")
    check_complete(check, mine, "no partial report after the kill")

    rerun = manage(env, "import_transcripts", str(source), check=False)
    titles = list(mine.values_list("title", flat=True))
    print(f"  (b) re-run exit {rerun.returncode}: {len(titles)} reports")
    check(rerun.returncode == 0, "the re-run exited 0")
    check(len(titles) == count and len(set(titles)) == count, "re-run complete, none duplicated")
    check_complete(check, mine, "every report complete after the re-run")


# --- (c) two app servers, one Redis cache ----------------------------------------

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
MIXED_REQUESTS = 10_000
SHARED_READS_TARGET = 0.5  # reads/s under saves, at least this share of reads alone


def redis_answers(url):
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(7) == b"+PONG\r\n"
    except OSError:
        return False


def worker_rss_mb(servers):
    """Resident memory of each gunicorn worker, from /proc (pids only)."""
    sizes = []
    for server in servers:
        for pid in server.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sizes


def run_spread(ports, paths, seconds, editors=(), limit=MAX_REQUESTS):
    """Readers spread over every server; editors save through the first."""
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=reader, args=(ports[n % len(ports)], paths, tally, stop),
                         daemon=True)
        for n in range(READERS)
    ]  # fmt: skip
    for spec in editors:
        threads.append(
            threading.Thread(target=editor, args=(ports[0], *spec, tally, stop), daemon=True)
        )
    start = time.monotonic()
    for thread in threads:
        thread.start()
    while time.monotonic() < start + seconds and tally.count < limit:
        time.sleep(0.1)
    return tally, finish(stop, threads, start)


def shared_cache_test(check, env, work, args, reader_paths, editors):
    """Two gunicorns on two ports share one Redis page cache (CACHE_URL): reads
    alone and under saves, a save seen by the other server, worker memory."""
    from django.db import connection

    from archive.models import Report

    print(f"  (c) two app servers, one Redis cache at {REDIS_URL}")
    if not redis_answers(REDIS_URL):
        check(False, f"Redis answers at {REDIS_URL}")
        return
    prefix = f"bench-load-{secrets.token_hex(4)}"
    shared = env | {"CACHE_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    # The editors save published reports that readers read: each save empties
    # that report's pages and the lists, and nothing else.
    targets = [pk for spec in editors for pk in spec[2]]
    Report.objects.filter(pk__in=targets).update(
        status=Report.Status.PUBLISHED, published_at=Report.objects.public().first().published_at
    )
    reports = Report.objects.public().order_by("-pk").values_list("slug", flat=True)[:200]
    paths = reader_paths + [f"/reports/{slug}/" for slug in reports]
    connection.close()
    servers = [Gunicorn(shared, work / f"gunicorn-shared-{n}.log") for n in (1, 2)]
    ports = [server.port for server in servers]
    try:
        run_spread(ports, paths, 3)  # every page rendered once, into the shared cache
        alone_tally, alone_seconds = run_spread(ports, paths, args.seconds / 2)
        alone = describe("(c) 2 servers, readers only", alone_tally, alone_seconds)
        busy_tally, busy_seconds = run_spread(ports, paths, args.seconds / 2, editors)
        busy = describe("(c) 2 servers, under saves", busy_tally, busy_seconds, alone)
        ratio = busy[0] / alone[0] if alone[0] else 0
        check.target(
            ratio >= SHARED_READS_TARGET,
            f"reads/s under saves {ratio:.2f} of reads alone (target >= {SHARED_READS_TARGET})",
        )
        errors = alone_tally.server_errors() + busy_tally.server_errors()
        check(errors == 0, f"no 5xx or dropped request on either server ({errors})")
        saved = {pk: title for pk, title in editors[0][3].items() if pk in targets}
        for pk, title in list(saved.items())[:3]:
            slug = Report.objects.get(pk=pk).slug
            page = Browser(ports[1]).request("GET", f"/reports/{slug}/")
            check(title in page.body.decode(), f"save of report {pk} through server 1 shown by 2")
        check(bool(saved), f"editors saved published reports ({len(saved)})")
        run_spread(ports, paths, 60, editors, limit=500)  # workers warm, caches full
        before = worker_rss_mb(servers)
        mixed, mixed_seconds = run_spread(ports, paths, 600, editors, limit=MIXED_REQUESTS)
        after = worker_rss_mb(servers)
        print(
            f"  {'':<28} worker RSS over {mixed.count:,} mixed requests ({mixed_seconds:.0f} s): "
            f"{sum(before):.0f} MB -> {sum(after):.0f} MB over {len(after)} workers "
            f"(max {max(before):.0f} -> {max(after):.0f} MB)"
        )
        check(
            sum(after) <= 1.2 * sum(before) and len(after) == len(before),
            "worker memory flat over the mixed requests (within 20%)",
        )
        logs = "".join(server.log_text() for server in servers)
        check("Traceback" not in logs, "no traceback in either server's log")
    finally:
        for server in servers:
            server.stop()
        try:
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(f"{prefix}:*"):
                client.delete(key)
        except Exception as error:  # the cache ages out by itself; say so, do not fail
            print(f"  {'':<28} could not empty the bench's Redis keys: {error}")


# --- the parent: one child process per database --------------------------------


def postgres_answers(url):
    import psycopg

    parts = urlsplit(url)
    admin_url = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
            name = parts.path.lstrip("/")
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except psycopg.Error as error:
        print(f"PostgreSQL at {url} unavailable ({error}); its run is skipped")
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transcripts", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=20, help="length of the mixed phase")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--shared-only", action="store_true", help="run (c) alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.exit(1 if run_target(args) else 0)

    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    base_env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "GUNICORN_LOG_LEVEL": "warning",
    }
    targets = []
    if args.only != "postgresql":
        sqlite_folder = Path(tempfile.mkdtemp(prefix="bench-load-db-"))
        targets.append(("sqlite", f"sqlite:///{sqlite_folder / 'archive.sqlite3'}"))
    pg = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    if args.only != "sqlite" and postgres_answers(pg):
        targets.append(("postgresql", pg))

    results = {}
    for name, url in targets:
        child = subprocess.run(
            [PYTHON, __file__, "--child", *sys.argv[1:]],
            env=base_env | {"DATABASE_URL": url},
            cwd=ROOT,
            timeout=3 * SUBPROCESS_TIMEOUT,
        )
        results[name] = child.returncode == 0
        if name == "sqlite" and results[name]:
            shutil.rmtree(sqlite_folder)
    verdicts = ", ".join(f"{k} {'passed' if ok else 'FAILED'}" for k, ok in results.items())
    print(f"\n== summary: {verdicts}")
    sys.exit(0 if results and all(results.values()) else 1)


if __name__ == "__main__":
    main()
