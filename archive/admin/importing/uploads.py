"""The files of an upload, read within the desk's limits; a .zip is read in memory.

Nothing is ever extracted to disk, so a member's path (``../x.txt``) is only a
name. A zip bomb is refused from the sizes its directory declares, before
anything is decompressed, and no member is read past its declared size.
"""

import zipfile
import zlib
from pathlib import PurePosixPath

from ...importer import TRANSCRIPT_SUFFIXES, printable

ZIP_SUFFIX = ".zip"
# What a damaged, encrypted or oddly compressed member raises when read.
ZIP_READ_ERRORS = (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error)


class UploadRefused(Exception):
    """The whole upload is refused, with one line; nothing of it is kept."""


def _is_transcript_member(info):
    name = PurePosixPath(info.filename)
    # A folder's rule (importer.find_transcripts), less the resource forks macOS adds.
    return not info.is_dir() and name.suffix in TRANSCRIPT_SUFFIXES and "__MACOSX" not in name.parts


class UploadReader:
    """Collects (name, bytes) pairs from uploaded files, refusing past the limits."""

    def __init__(self, *, max_bytes, max_files):
        self.max_bytes, self.max_files = max_bytes, max_files
        self.files, self.total = [], 0

    def read(self, uploaded_files):
        if not uploaded_files:
            raise UploadRefused("Choose at least one transcript file (or a .zip of them).")
        if len(uploaded_files) > self.max_files:
            raise UploadRefused(self._too_many(len(uploaded_files)))
        for uploaded in uploaded_files:
            name = printable(uploaded.name)
            if name.lower().endswith(ZIP_SUFFIX):
                if uploaded.size > self.max_bytes:
                    raise UploadRefused(self._too_large(f"{name} is", uploaded.size))
                self._read_zip(uploaded, name)  # what counts is what it holds
            else:
                self._count(uploaded.size, f"{name} is")
                self._add(name, uploaded.read())
        return self.files

    def _too_many(self, count):
        return f"The upload holds {count:,} files; at most {self.max_files:,} are imported at once."

    def _too_large(self, what, size):
        return (
            f"{what} over the upload limit of {self.max_bytes:,} bytes "
            f"({size:,} bytes so far); import it in parts."
        )

    def _count(self, size, what):
        self.total += size
        if self.total > self.max_bytes:
            raise UploadRefused(self._too_large(what, self.total))

    def _add(self, name, data):
        if len(self.files) >= self.max_files:
            raise UploadRefused(self._too_many(len(self.files) + 1))
        self.files.append((name, data))

    def _read_zip(self, uploaded, name):
        try:
            archive = zipfile.ZipFile(uploaded)
        except (zipfile.BadZipFile, OSError, ValueError) as error:
            raise UploadRefused(f"{name}: not a readable .zip file ({error}).") from None
        with archive:
            members = [info for info in archive.infolist() if _is_transcript_member(info)]
            if not members:
                raise UploadRefused(f"{name}: holds no .txt, .vtt or .srt file.")
            if len(self.files) + len(members) > self.max_files:
                raise UploadRefused(self._too_many(len(self.files) + len(members)))
            declared = sum(info.file_size for info in members)
            self._count(declared, f"{name} uncompressed is")
            for info in members:
                member = f"{name}/{printable(info.filename)}"
                try:
                    # zipfile stops at the declared size and checks the CRC there.
                    with archive.open(info) as stream:
                        data = stream.read(info.file_size + 1)
                except (*ZIP_READ_ERRORS, OSError) as error:
                    reason = f"{member}: cannot be read from the zip ({error})."
                    raise UploadRefused(reason) from None
                self._add(member, data)
