"""Segments and quotes on their own pages. Saving one counts as a change to its report."""

import reversion
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from .. import curation, workflow
from ..models import Correction, Quote, Report, Segment
from .editor.alignment import marked, quote_spans
from .forms import QuotePartForm, SegmentPartForm
from .inlines import quote_this_link
from .pending import ReviewGatedPartAdmin
from .revisions import GuardedVersionAdmin


class ReportPartAdmin(ReviewGatedPartAdmin, GuardedVersionAdmin):
    """Records the parent report in the revision and marks it changed.

    An editor holding the report's form open is then warned instead of
    overwriting this edit, and the report's history shows it.
    """

    def report_id_of(self, obj):
        raise NotImplementedError

    def has_delete_permission(self, request, obj=None):
        return workflow.can_delete_part(request.user, self.model)

    def _touch(self, report_id):
        curation.touch_report(report_id)
        if reversion.is_active():
            reversion.add_to_revision(Report.objects.get(pk=report_id))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._touch(self.report_id_of(obj))

    def delete_model(self, request, obj):
        report_id = self.report_id_of(obj)
        super().delete_model(request, obj)
        self._touch(report_id)

    def delete_queryset(self, request, queryset):
        report_ids = {self.report_id_of(obj) for obj in queryset}
        super().delete_queryset(request, queryset)
        for report_id in report_ids:
            self._touch(report_id)


@admin.register(Segment)
class SegmentAdmin(ReportPartAdmin):
    form = SegmentPartForm
    list_display = ["report", "position", "kind", "speaker", "speaker_title", "needs_review",
                    "quote_this"]  # fmt: skip
    list_select_related = ["report", "speaker"]
    list_filter = ["needs_review", "kind"]
    readonly_fields = ["speaker_basis", "needs_review"]
    search_fields = ["text", "speaker__name", "report__title"]
    autocomplete_fields = ["report", "speaker"]

    def report_id_of(self, segment):
        return segment.report_id

    @admin.display(description="")
    def quote_this(self, segment):
        return quote_this_link(segment)


@admin.register(Quote)
class QuoteAdmin(ReportPartAdmin):
    form = QuotePartForm
    list_display = ["__str__", "speaker", "report", "featured", "matches_source"]
    list_select_related = ["speaker", "segment__report"]
    list_filter = ["featured", "matches_source"]
    search_fields = ["text", "speaker__name"]
    autocomplete_fields = ["segment", "speaker"]
    fields = ["segment", "speaker", "text", "source", "featured", "matches_source", "edit_token"]
    readonly_fields = ["source", "matches_source"]

    def get_queryset(self, request):
        # All of list_select_related: the changelist adds it only to a queryset without any.
        # A report's source can be megabytes: no row of the list shows it.
        queryset = super().get_queryset(request).select_related(*self.list_select_related)
        return queryset.defer("segment__report__source_text")

    def report_id_of(self, quote):
        return quote.segment.report_id

    @admin.display(description="report")
    def report(self, quote):
        return quote.segment.report

    class Media:
        css = {"all": ["archive/admin/editor.css"]}  # .quote-source keeps the text's line breaks

    @admin.display(description="source segment (as it reads now, the quoted words marked)")
    def source(self, quote):
        if quote.segment_id is None:
            return "—"
        text = quote.segment.text
        pieces = marked(text, quote_spans(quote.text, text))
        tags = {True: "<mark>{}</mark>", False: "{}"}
        body = format_html_join("", "{}", ((format_html(tags[q], piece),) for piece, q in pieces))
        return format_html('<div class="quote-source">{}</div>', body)


@admin.register(Correction)
class CorrectionAdmin(ReportPartAdmin):
    list_display = ["report", "corrected_on", "what_was_wrong"]
    list_select_related = ["report"]
    search_fields = ["report__title", "what_was_wrong", "what_changed"]
    autocomplete_fields = ["report"]
    date_hierarchy = "corrected_on"

    def report_id_of(self, correction):
        return correction.report_id
