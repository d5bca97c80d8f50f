"""Changelist filters and search that cost the same at a million reports.

Django's ``RelatedOnlyFieldListFilter`` finds its choices with a DISTINCT over
every report, and ``date_hierarchy`` with one over every publication date;
``icontains`` on segment text reads every segment. These read indexes instead.
"""

from django.contrib import admin
from django.db import connections
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils.text import smart_split, unescape_string_literal

from ..models import Organization, Report, Segment


class OutletFilter(admin.RelatedFieldListFilter):
    """The organizations that are some report's outlet, found by an index skip-scan."""

    def field_choices(self, field, request, model_admin):
        outlets = Organization.objects.outlets_of(Report.objects.all()).order_by("name")
        return [(outlet.pk, str(outlet)) for outlet in outlets]


# The expression of the GIN index of archive/search.py (created on PostgreSQL).
SEGMENT_DOCUMENT = "to_tsvector('english', speaker_title || ' ' || text)"


def search_words(search_term):
    """The admin's own splitting: words, and "quoted phrases" kept whole."""
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit.strip():
            yield bit


def report_search(queryset, search_term):
    """Reports matching every word of ``search_term`` in the title, a speaker's
    or the correspondent's name, or a segment's text.

    On PostgreSQL a segment matches by its full-text index (stemmed words, as
    the public search), so no segment is read that does not contain the word;
    elsewhere by ``icontains``, as Django's own search does.
    """
    postgres = connections[queryset.db].vendor == "postgresql"
    for word in search_words(search_term):
        segments = Segment.objects.filter(report=OuterRef("pk"))
        if postgres:
            # Unqualified columns: Django renames the subquery's tables.
            matches = RawSQL(
                f"{SEGMENT_DOCUMENT} @@ plainto_tsquery('english', %s)",
                (word,),
                output_field=BooleanField(),
            )
            segments = segments.alias(text_matches=matches)
            segments = segments.filter(Q(text_matches=True) | Q(speaker__name__icontains=word))
        else:
            segments = segments.filter(Q(text__icontains=word) | Q(speaker__name__icontains=word))
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(correspondent__name__icontains=word) | Exists(segments)
        )
    return queryset
