from functools import partial
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.checks import InlineModelAdminChecks
from django.contrib.admin.utils import flatten_fieldsets
from django.forms import modelformset_factory
from django.urls import reverse
from django.utils.html import format_html

from .. import workflow
from ..models import Correction, Quote, Segment
from .forms import ReportQuoteFormSet, SegmentInlineForm, SegmentInlineFormSet
from .widgets import SafeAutocompleteAdmin


def quote_this_url(segment):
    """The quote add form, filled in from a segment: the editor only trims the text."""
    initial = {"segment": segment.pk, "speaker": segment.speaker_id or "", "text": segment.text}
    return f"{reverse('admin:archive_quote_add')}?{urlencode(initial)}"


def quote_this_link(segment):
    if segment.pk is None:
        return ""
    return format_html('<a href="{}">Quote this</a>', quote_this_url(segment))


class SegmentInline(SafeAutocompleteAdmin, admin.TabularInline):
    model = Segment
    form = SegmentInlineForm
    formset = SegmentInlineFormSet
    fields = ["order", "kind", "speaker", "speaker_title", "text", "start_seconds", "end_seconds",
              "needs_review", "speaker_confirmed", "quote_this"]  # fmt: skip
    readonly_fields = ["needs_review", "quote_this"]
    autocomplete_fields = ["speaker"]
    extra = 0
    classes = ["segment-inline"]

    def has_delete_permission(self, request, obj=None):
        return workflow.can_delete_part(request.user, self.model)

    @admin.display(description="")
    def quote_this(self, segment):
        return quote_this_link(segment)


class NoForeignKeyChecks(InlineModelAdminChecks):
    def _check_relation(self, obj, parent_model):
        return []  # the formset finds the report's quotes through their segments


class ReportQuoteInline(SafeAutocompleteAdmin, admin.TabularInline):
    """The report's quotes, across all its segments."""

    model = Quote
    formset = ReportQuoteFormSet
    checks_class = NoForeignKeyChecks
    fields = ["segment", "speaker", "text", "featured", "matches_source"]
    readonly_fields = ["matches_source"]
    autocomplete_fields = ["speaker"]
    extra = 0
    verbose_name_plural = "quotes (a new segment can be quoted once the report is saved)"

    def has_delete_permission(self, request, obj=None):
        return workflow.can_delete_part(request.user, self.model)

    def get_formset(self, request, obj=None, **kwargs):
        readonly = self.get_readonly_fields(request, obj)
        return modelformset_factory(
            self.model,
            form=self.form,
            formset=self.formset,
            fields=[
                f for f in flatten_fieldsets(self.get_fieldsets(request, obj)) if f not in readonly
            ],  # fmt: skip
            formfield_callback=partial(self.formfield_for_dbfield, request=request),
            extra=self.get_extra(request, obj),
            can_delete=self.has_delete_permission(request, obj),
        )


class CorrectionInline(admin.TabularInline):
    """The corrections log: readers see it on the report's page once the report is public."""

    model = Correction
    fields = ["corrected_on", "what_was_wrong", "what_changed"]
    extra = 0
