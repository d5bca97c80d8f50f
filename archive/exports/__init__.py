"""Open data: the public archive as a Frictionless data package (``export_dataset``, /data/).

- ``tables.py``  the tables, their fields and their data dictionary, each read
                 from the ``.public()`` querysets in primary-key order, in chunks;
- ``writer.py``  streams them to CSV and JSON Lines, speakers and organizations
                 to Popolo JSON, with checksums, the licence and the snapshot
                 time in ``datapackage.json``; CSV cells cannot run as formulas.
"""
