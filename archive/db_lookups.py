"""Lookups that answer "no such row" for ids no row can have, instead of an error.

A form checks submitted ids with ``pk=`` (Django already turns an
out-of-range integer there into an empty result) and then ``pk__in=``, which
sent ``99999999999999999999`` to the database (SQLite and PostgreSQL refuse
it); the changelist's actions filter ``pk__in=`` the ``_selected_action``
values as posted, and ``abc`` raised ValueError: the admin answered 500.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models.lookups import In


class IntegerFieldIn(In):
    """``id__in=[...]`` leaves out the values no row can have, as ``id=`` already does
    (Django's IntegerFieldOverflow): a model form checks submitted ids that way.
    Registered on every integer field (ids included) by ArchiveConfig.ready."""

    def get_prep_lookup(self):
        if self.rhs_is_direct_value() and not isinstance(self.rhs, str):
            # Text off the wire that is no integer at all (``abc``, ``1.5``) names no row.
            self.rhs = [value for value in self.rhs if not _not_an_integer(value)]
        return super().get_prep_lookup()

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
            if not self.rhs:
                raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def _not_an_integer(value):
    if not isinstance(value, str):
        return False
    try:
        int(value)
    except ValueError:
        return True
    return False
