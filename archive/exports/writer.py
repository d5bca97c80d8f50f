"""Writing the data package: streamed, checksummed, safe to open in a spreadsheet.

Rows go straight from the database cursor (chunks of ``tables.CHUNK``) to
the files, hashed as they are written, so memory stays flat whatever the
archive's size. Everything is read inside one snapshot
(:func:`archive.backup.snapshot`) and written to a fresh folder that replaces
the previous package only once complete.
"""

import csv
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from ..backup import snapshot
from ..models import Organization, Speaker
from .tables import CHUNK, TABLES

PACKAGE = "datapackage.json"
# A spreadsheet runs a cell starting with one of these as a formula
# (OWASP "CSV injection"); tab and carriage return start one in some, too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell that would run as a formula gets a leading apostrophe: shown, not run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class HashingWriter:
    """A text file that counts and hashes the bytes written to it."""

    def __init__(self, path):
        self.file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed in close)
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, text):
        data = text.encode("utf-8")
        self.sha256.update(data)
        self.bytes += len(data)
        return self.file.write(text)

    def close(self):
        self.file.close()
        return {"hash": f"sha256:{self.sha256.hexdigest()}", "bytes": self.bytes}


def _schema(table):
    schema = {
        "fields": [
            {"name": field.name, "type": field.type, "description": field.description}
            for field in table.fields
        ],
        "primaryKey": list(table.primary_key),
    }
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": [name], "reference": {"resource": f"{other}", "fields": [key]}}
            for name, other, key in table.foreign_keys
        ]
    return schema


def _write_csv(table, path):
    out = HashingWriter(path)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([field.name for field in table.fields])
    count = 0
    for row in table.rows():
        writer.writerow(["" if value is None else spreadsheet_safe(value) for value in row])
        count += 1
    return out.close(), count


def _write_jsonl(table, path):
    out = HashingWriter(path)
    names = [field.name for field in table.fields]
    for row in table.rows():
        out.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
    return out.close()


def _write_json_list(path, items):
    """A JSON array written item by item (Popolo files can be as long as the archive)."""
    out = HashingWriter(path)
    out.write("[")
    for index, item in enumerate(items):
        out.write(("," if index else "") + "\n" + json.dumps(item, ensure_ascii=False))
    out.write("\n]\n")
    return out.close()


def popolo_persons(base_url):
    speakers = Speaker.objects.public().select_related("organization").order_by("pk")
    for speaker in speakers.iterator(chunk_size=CHUNK):
        person = {
            "id": speaker.slug,
            "name": speaker.name,
            "links": [{"url": base_url + speaker.get_absolute_url(), "note": "archive page"}],
        }
        if speaker.authority_id:
            person["identifiers"] = [{"scheme": "wikidata", "identifier": speaker.authority_id}]
        if speaker.role or speaker.organization:
            membership = {"role": speaker.role} if speaker.role else {}
            if speaker.organization:
                membership["organization_id"] = speaker.organization.slug
            person["memberships"] = [membership]
        yield person


def popolo_organizations():
    for organization in Organization.objects.public().order_by("pk").iterator(chunk_size=CHUNK):
        yield {"id": organization.slug, "name": organization.name}


def write_dataset(directory, *, base_url=""):
    """Write the package into ``directory`` (replacing one already there); returns it as a dict."""
    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dataset-", dir=directory.parent))
    try:
        with snapshot():
            created = timezone.now()
            resources = []
            for table in TABLES:
                csv_file, jsonl_file = f"{table.name}.csv", f"{table.name}.jsonl"
                checks, count = _write_csv(table, staging / csv_file)
                common = {"title": table.title, "description": table.description}
                resources.append(
                    {
                        "name": table.name,
                        "path": csv_file,
                        "format": "csv",
                        "mediatype": "text/csv",
                        "encoding": "utf-8",
                        **common,
                        **checks,
                        "schema": _schema(table),
                        "count": count,
                    }
                )
                resources.append(
                    {
                        "name": f"{table.name}-jsonl",
                        "path": jsonl_file,
                        "format": "jsonl",
                        "mediatype": "application/jsonl",
                        "encoding": "utf-8",
                        **common,
                        **_write_jsonl(table, staging / jsonl_file),
                        "schema": _schema(table) | {"foreignKeys": []},
                    }
                )
            for name, items, title in (
                ("popolo-persons", popolo_persons(base_url), "Speakers as Popolo persons"),
                ("popolo-organizations", popolo_organizations(), "Organizations, Popolo"),
            ):
                resources.append(
                    {
                        "name": name,
                        "path": f"{name}.json",
                        "format": "json",
                        "mediatype": "application/json",
                        "profile": "data-resource",
                        "title": title,
                        **_write_json_list(staging / f"{name}.json", items),
                    }
                )
        package = {
            "profile": "data-package",
            "name": "report-archive",
            "title": f"{settings.SITE_NAME}: the public archive",
            "description": "Every public report, segment, speaker, organization, topic and "
            "quote, as of the snapshot time ('created').",
            "created": created.isoformat(),
            "licenses": [settings.DATA_LICENSE],
            "homepage": base_url + "/data/" if base_url else "",
            "resources": resources,
        }
        if not package["homepage"]:
            del package["homepage"]
        (staging / PACKAGE).write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n")
        os.chmod(staging, 0o755)
        previous = directory.with_name(directory.name + ".previous")
        if directory.exists():
            shutil.rmtree(previous, ignore_errors=True)
            directory.rename(previous)
        staging.rename(directory)
        shutil.rmtree(previous, ignore_errors=True)
        return package
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_package(directory):
    """The package last written to ``directory``, or None."""
    try:
        return json.loads((Path(directory) / PACKAGE).read_text())
    except (OSError, ValueError):
        return None
