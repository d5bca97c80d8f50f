"""Django's JSON fixture format, reading records written before migration 0010 too.

Fixtures and backups made before the corrections log held a report's one
correction notice in ``Report.correction``. Read here, such a notice becomes
one entry of the report's log, dated the report's last change, as the
migration does for a live database: nothing is lost, and loaddata and
restore_archive take old files unchanged. Writing is Django's own.
"""

from datetime import date

from django.core.serializers.json import Deserializer as JSONDeserializer
from django.core.serializers.json import Serializer

__all__ = ["Deserializer", "Serializer"]


class Deserializer(JSONDeserializer):
    def _handle_object(self, obj):
        legacy = None
        if obj.get("model") == "archive.report" and "correction" in obj.get("fields", {}):
            fields = dict(obj["fields"])
            legacy = fields.pop("correction")
            obj = {**obj, "fields": fields}
        yield from super()._handle_object(obj)
        if legacy and legacy.strip():
            # The report has been saved by now: loaddata saves each object as it is read.
            updated = obj["fields"].get("updated_at") or date.today().isoformat()
            entry = {
                "model": "archive.correction",
                "fields": {
                    "report": [obj["fields"]["slug"]],
                    "corrected_on": str(updated)[:10],
                    "what_was_wrong": legacy,
                    "what_changed": "",
                },
            }
            yield from super()._handle_object(entry)
