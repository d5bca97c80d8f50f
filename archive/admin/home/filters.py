"""Report changelist filters for the desk home's links; none of them queries to list its choices."""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone

from ...models import Report, Segment

RECENT_DAYS = 7


class MadeByFilter(admin.SimpleListFilter):
    title = "made by"
    parameter_name = "made_by"

    def lookups(self, request, model_admin):
        return [("me", "Me")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(created_by=request.user)
        return queryset


class SentBackFilter(admin.SimpleListFilter):
    title = "sent back"
    parameter_name = "sent_back"

    def lookups(self, request, model_admin):
        return [("me", "To me")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(status=Report.Status.DRAFT, review_note_to=request.user)
        return queryset


class PublicationFilter(admin.SimpleListFilter):
    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [
            ("scheduled", "Scheduled for later"),
            ("recent", f"Went live in the last {RECENT_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "scheduled":
            return queryset.filter(pk__in=Report.objects.scheduled(now=now).values("pk"))
        if self.value() == "recent":
            return queryset.filter(pk__in=recently_published(now).values("pk"))
        return queryset


class SegmentReviewFilter(admin.SimpleListFilter):
    title = "segments"
    parameter_name = "segments"

    def lookups(self, request, model_admin):
        return [("needs_review", "Need review (speaker unsure)")]

    def queryset(self, request, queryset):
        if self.value() == "needs_review":
            unsure = Segment.objects.filter(report=OuterRef("pk"), needs_review=True)
            return queryset.filter(Exists(unsure))
        return queryset


def recently_published(now):
    """Public reports that went live in the last RECENT_DAYS days."""
    return Report.objects.public(now=now).filter(published_at__gte=now - timedelta(RECENT_DAYS))


DESK_FILTERS = [MadeByFilter, SentBackFilter, PublicationFilter, SegmentReviewFilter]
