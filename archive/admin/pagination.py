from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """A paginator that never counts more than ``cap`` rows.

    Below the cap the count is exact. Above it, an unfiltered list on
    PostgreSQL uses the planner's row estimate (free); anything else reports
    the cap, so the pages past it are reached by filtering or sorting.
    """

    cap = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        # values("pk"): the changelist's per-row annotations (segment and quote
        # counts) are not computed for rows that are only counted.
        counted = queryset.order_by().values("pk")[: self.cap + 1].count()
        if counted <= self.cap:
            return counted
        return max(self.cap, estimated_rows(queryset) or 0)


def estimated_rows(queryset):
    """PostgreSQL's estimate of an unfiltered table's size, else None."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or queryset.query.where:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] > 0 else None
