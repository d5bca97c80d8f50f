"""An upload kept between its preview and its import, without writing a report.

Each upload is a folder ``IMPORT_STAGING_DIR/<token>/``: the files' bytes, one
file each, and a manifest (names, SHA-256 checksums, the uploader) signed with
the site's key. Loading checks the signature, the age, the uploader and every
checksum, so a staged file changed on disk is refused, not imported. The token
is random and checked in shape before it names a folder. A folder, not the
session or the database: an upload may be 10 MB, read once or twice. Several
app servers must share the folder (or keep each editor on one server).
"""

import hashlib
import json
import re
import secrets
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.core import signing

from ...importer import Upload

SALT = "archive.admin.importing.staging"
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
MANIFEST = "manifest.signed"


class StagingGone(Exception):
    """The upload is not there (any more), or not this user's: one line says so."""


def _root() -> Path:
    return Path(settings.IMPORT_STAGING_DIR)


def _max_age():
    return settings.IMPORT_STAGING_HOURS * 3600


def source_path(token, name):
    """Where a report imported from an upload says its file was: the upload and the name."""
    return f"desk upload {token}: {name}"


def stage(files, *, user) -> str:
    """Keep ``files`` ((name, bytes) pairs) for ``user``; return the upload's token."""
    remove_stale()
    token = secrets.token_urlsafe(16)
    folder = _root() / token
    folder.mkdir(parents=True, mode=0o700)
    entries = []
    for index, (name, data) in enumerate(files):
        (folder / f"{index:04d}").write_bytes(data)
        entries.append({"name": name, "sha256": hashlib.sha256(data).hexdigest()})
    manifest = {"user": user.pk, "files": entries}
    signed = signing.dumps(manifest, salt=SALT, compress=True)
    (folder / MANIFEST).write_text(signed, encoding="ascii")
    return token


def load(token, *, user) -> list[Upload]:
    """The uploads staged under ``token`` by ``user``, checked; StagingGone if not."""
    gone = StagingGone("This upload is no longer waiting (imported, expired or not yours).")
    if not TOKEN.fullmatch(token or ""):
        raise gone
    folder = _root() / token
    try:
        signed = (folder / MANIFEST).read_text(encoding="ascii")
        manifest = signing.loads(signed, salt=SALT, max_age=_max_age())
    except (OSError, UnicodeDecodeError, signing.BadSignature, json.JSONDecodeError):
        raise gone from None
    if manifest.get("user") != user.pk:
        raise gone
    uploads = []
    for index, entry in enumerate(manifest["files"]):
        try:
            data = (folder / f"{index:04d}").read_bytes()
        except OSError:
            raise gone from None
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise StagingGone(f"{entry['name']}: changed while it waited; upload it again.")
        uploads.append(Upload(entry["name"], data, source_path(token, entry["name"])))
    return uploads


def discard(token):
    if TOKEN.fullmatch(token or ""):
        shutil.rmtree(_root() / token, ignore_errors=True)


def remove_stale(*, now=None):
    """Remove uploads older than IMPORT_STAGING_HOURS (never imported, or abandoned)."""
    root = _root()
    if not root.is_dir():
        return
    oldest = (now or time.time()) - _max_age()
    for folder in root.iterdir():
        try:
            stale = TOKEN.fullmatch(folder.name) and folder.stat().st_mtime < oldest
        except OSError:
            continue
        if stale:
            shutil.rmtree(folder, ignore_errors=True)
