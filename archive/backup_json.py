"""Django's JSON fixture format, with times kept to the microsecond.

Django's encoder cuts datetimes to milliseconds (the ECMAScript format); a
backup must give back exactly what it took. The output is still plain
Django JSON: ``loaddata`` reads it with the stock deserializer.
"""

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer

__all__ = ["Deserializer", "Serializer"]


class ExactJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        self.options.setdefault("cls", ExactJSONEncoder)
        super()._init_options()
