"""Importing transcripts from the browser: upload, preview, import as drafts.

uploads.py   the request's files (and the members of a .zip) read within the limits
staging.py   the uploaded texts kept, signed and checksummed, between preview and import
views.py     the desk's pages: upload, the per-file preview, the import of the chosen files

Everything a file goes through is the importer's (``archive.importer.plan_uploads``
and ``import_uploads``), so the browser and ``manage.py import_transcripts``
apply the same rules and refuse with the same one-line reasons.
"""
