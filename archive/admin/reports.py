import math
from functools import partial

import reversion
from django.contrib import admin
from django.db import models
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format

from .. import curation, workflow
from ..models import Quote, Report, Segment
from . import actions, views
from .editor.layout import QuoteRowsInline, TranscriptEditorAdmin, TranscriptInline
from .forms import ReportAdminForm
from .home.filters import DESK_FILTERS
from .importing.views import urls as import_urls
from .inlines import CorrectionInline
from .lookups import OutletFilter, TopicFilter, report_search
from .pagination import CappedCountPaginator
from .pending import ReviewGatedReportAdmin
from .revisions import GuardedVersionAdmin
from .together import WorkingTogether


def count_of(model, **path):
    """A correlated COUNT(*) per report: one query for the page, not one per row."""
    rows = model.objects.filter(**path).order_by().values(*path).annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


class MismatchedQuotesFilter(admin.SimpleListFilter):
    title = "quotes"
    parameter_name = "quotes"

    def lookups(self, request, model_admin):
        return [("mismatched", "No longer match their source")]

    def queryset(self, request, queryset):
        if self.value() == "mismatched":
            stale = Quote.objects.filter(segment__report=OuterRef("pk"), matches_source=False)
            return queryset.filter(Exists(stale))
        return queryset


@admin.register(Report)
class ReportAdmin(
    ReviewGatedReportAdmin, WorkingTogether, TranscriptEditorAdmin, GuardedVersionAdmin
):
    form = ReportAdminForm
    list_display = ["title", "publication", "outlet", "correspondent", "segments", "quotes",
                    "published_at"]  # fmt: skip
    # No date_hierarchy and no "related only" choices: each is a DISTINCT over
    # every report (see lookups.py); the outlets come from an index skip-scan.
    list_filter = ["status", ("outlet", OutletFilter), TopicFilter, "published_at",
                   MismatchedQuotesFilter, *DESK_FILTERS]  # fmt: skip
    list_select_related = ["outlet", "correspondent"]
    # What the search box matches; lookups.report_search does it by index.
    search_fields = ["title", "segments__text", "segments__speaker__name", "correspondent__name"]
    autocomplete_fields = ["outlet", "correspondent", "topics", "programme"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    prepopulated_fields = {"slug": ["title"]}
    # The source is what was imported, byte for byte (its checksum says so): never edited here.
    readonly_fields = ["updated_at", "first_public_at", "source_name", "source_text",
                       "source_checksum"]  # fmt: skip
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "outlet",
                    "correspondent",
                    "dateline",
                    "duration",
                    "topics",
                    "edit_token",
                ]
            },
        ),  # fmt: skip
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "published_at",
                    "withdrawal_reason",
                    "first_public_at",
                    "updated_at",
                ]
            },
        ),  # fmt: skip
        (
            "Broadcast",
            {
                "fields": [
                    "programme",
                    ("aired_on", "aired_time", "aired_utc_offset"),
                    "language",
                    "media_url",
                    "source_url",
                ]
            },
        ),  # fmt: skip
        (
            "Source",
            {"fields": ["source_name", "source_text", "source_checksum"], "classes": ["collapse"]},
        ),  # fmt: skip
    ]
    inlines = [TranscriptInline, QuoteRowsInline, CorrectionInline]
    actions = [actions.publish_now, actions.schedule, actions.withdraw, actions.back_to_draft,
               actions.send_to_review, actions.send_back]  # fmt: skip
    paginator = CappedCountPaginator
    show_full_result_count = False
    history_latest_first = True
    object_history_template = "admin/archive/report/object_history.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                segment_count=count_of(Segment, report=OuterRef("pk")),
                quote_count=count_of(Quote, segment__report=OuterRef("pk")),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return report_search(queryset, search_term), False

    @admin.display(description="status", ordering="status")
    def publication(self, report):
        # ReportQuerySet.scheduled()'s rule, for one row: published, its time still to come.
        later = report.published_at is not None and report.published_at > timezone.now()
        if report.status == Report.Status.PUBLISHED and later:
            when = date_format(timezone.localtime(report.published_at), "j M Y, H:i")
            return f"Scheduled for {when} ({timezone.get_current_timezone_name()})"
        return report.get_status_display()

    @admin.display(description="segments", ordering="segment_count")
    def segments(self, report):
        return report.segment_count

    @admin.display(description="quotes", ordering="quote_count")
    def quotes(self, report):
        return report.quote_count

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def get_readonly_fields(self, request, obj=None):
        if workflow.can_publish(request.user):
            return self.readonly_fields
        locked = ["published_at", "withdrawal_reason"]
        if obj is not None and obj.status not in workflow.UNPUBLISHED:
            locked.append("status")
        return [*self.readonly_fields, *locked]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user  # a fresh class per request, so this is per request
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user  # whose draft it is, on the desk home
        super().save_model(request, obj, form, change)
        if getattr(form, "back_to_draft", False):
            actions.announce_move(self, request, "Back to draft", 1)

    def save_formset(self, request, form, formset, change):
        if formset.model is Segment:
            save_segments_in_order(formset)
            return
        if formset.model is Quote:
            # Quotes of segments deleted a moment ago went with them.
            kept = set(Segment.objects.filter(report=form.instance).values_list("pk", flat=True))
            for quote_form in formset.forms:
                if quote_form.instance.segment_id not in kept:
                    quote_form.has_changed = lambda: False
        super().save_formset(request, form, formset, change)

    def get_urls(self):
        compare = self.admin_site.admin_view(partial(views.compare, self))
        # Not admin_view: the preview answers 404, not a login page, to anyone not allowed.
        preview = partial(views.preview, self)
        return [
            *import_urls(self),
            path("<path:object_id>/preview/", preview, name="archive_report_preview"),
            path("<path:object_id>/history/compare/", compare, name="archive_report_compare"),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        compare_url = reverse("admin:archive_report_compare", args=[object_id])
        extra = {"compare_url": compare_url, **(extra_context or {})}
        return super().history_view(request, object_id, extra)


def save_segments_in_order(formset):
    """Save the segment rows, numbering them 1..n in the order the editor gave."""
    report = formset.instance
    formset.save(commit=False)
    for segment in formset.deleted_objects:
        segment.delete()
    rows = [
        (index, form)
        for index, form in enumerate(formset.forms)
        if form not in formset.deleted_forms and (form.instance.pk or form.has_changed())
    ]
    rows.sort(key=lambda row: (_order(row[1]), row[0]))
    curation.make_room(report.pk)
    moved_only = []
    for position, (_index, form) in enumerate(rows, start=1):
        segment = form.instance
        segment.report, segment.position = report, position
        if segment.pk and not form.has_changed():
            moved_only.append(segment)
        else:
            segment.save()
    Segment.objects.bulk_update(moved_only, ["position"])
    if reversion.is_active():
        for segment in moved_only:  # bulk_update sends no signal; record the new order
            reversion.add_to_revision(segment)


def _order(form):
    order = form.cleaned_data.get("order")
    return math.inf if order is None else order
