"""The report page as a transcript editor: the segment rows, the quote rows, the admin hooks.

Without JavaScript everything works through the rows' fields and the buttons
in each segment's tools; editor.js adds the keyboard shortcuts and acts at the
cursor or on the selection.
"""

import math
from functools import cached_property

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from ...models import Quote, Speaker
from ...pending.gate import ACTIVE as review_gate_on_request
from ..forms import ReportQuoteFormSet, SegmentInlineForm, SegmentInlineFormSet, segment_label
from ..inlines import ReportQuoteInline, SegmentInline
from . import views

CHARACTERS_PER_ROW = 72  # about what the text column holds at 1,280 px


def rows_for(text):
    lines = (text or "").splitlines() or [""]
    return max(2, min(30, sum(max(1, math.ceil(len(line) / CHARACTERS_PER_ROW)) for line in lines)))


def quote_names(quotes):
    return ", ".join(f"“{q.text[:60]}”" + (" (featured)" if q.featured else "") for q in quotes)


class RowAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that takes its selected option's label from ``known``, when set.

    The stock widget looks its selection up with one query per row; the
    formset (:class:`SpeakersLookedUpOnce`) fills ``known`` for all rows at once.
    """

    known = None  # {str(pk): label}

    def optgroups(self, name, value, attr=None):
        if self.known is None:
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        for pk in [str(v) for v in value if str(v) in self.known][:1]:
            options.append(self.create_option(name, pk, self.known[pk], True, len(options)))
        return [(None, options, 0)]


class RowAutocompletes:
    """An inline whose autocomplete fields use :class:`RowAutocompleteSelect`."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = RowAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SpeakersLookedUpOnce:
    """A formset whose rows' speakers are looked up in one query, not one per row."""

    @cached_property
    def forms(self):
        forms = super().forms
        chosen = {str(form["speaker"].value()) for form in forms if "speaker" in form.fields}
        chosen.discard("None")
        chosen.discard("")
        speakers = Speaker.objects.filter(pk__in=[pk for pk in chosen if pk.isdigit()])
        known = {str(speaker.pk): str(speaker) for speaker in speakers} if chosen else {}
        for form in forms:
            widget = form.fields["speaker"].widget if "speaker" in form.fields else None
            widget = getattr(widget, "widget", widget)
            if isinstance(widget, RowAutocompleteSelect):
                widget.known = known
        return forms


class TranscriptSegmentForm(SegmentInlineForm):
    delete_quotes_too = forms.BooleanField(
        required=False, label="Yes, delete this segment's quotes with it"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs.update(
            rows=rows_for(self.instance.text), cols=None, **{"class": "segment-text"}
        )


class TranscriptFormSet(SpeakersLookedUpOnce, SegmentInlineFormSet):
    """Asks before deleting a segment that has quotes, naming them."""

    @property
    def needs_review_count(self):
        return sum(1 for form in self.initial_forms if form.instance.needs_review)

    def clean(self):
        super().clean()
        unconfirmed = [
            form.instance
            for form in self.forms
            if form.instance.pk
            and self._should_delete_form(form)
            and not form.cleaned_data.get("delete_quotes_too")
            and form.instance.quotes.all()
        ]
        if unconfirmed:
            raise ValidationError(
                [
                    f"Segment {segment.position} has quotes: {quote_names(segment.quotes.all())}. "
                    "Deleting it deletes them too: tick “Yes, delete this segment's quotes "
                    "with it” in its tools to confirm, or untick Delete."
                    for segment in unconfirmed
                ]
            )


class TranscriptInline(RowAutocompletes, SegmentInline):
    """The segments as the transcript reads, each with its tools (split, merge, insert, quote)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "speaker" and field is not None:
            # Only "add a speaker" beside each row: three more links a row were three more tab
            # stops each, and "delete" there deleted the person, not the segment's speaker.
            wrapper = field.widget
            wrapper.can_change_related = wrapper.can_delete_related = False
            wrapper.can_view_related = False
        return field

    form = TranscriptSegmentForm
    formset = TranscriptFormSet
    template = "admin/archive/report/editor/transcript.html"
    fields = ["text", "kind", "speaker", "speaker_title", "start_seconds", "end_seconds",
              "order", "speaker_confirmed", "delete_quotes_too"]  # fmt: skip
    readonly_fields = []

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker").prefetch_related("quotes")


class QuoteRowForm(forms.ModelForm):
    """A quote row left as it was is not checked again: a flagged quote never blocks a save.

    It stays flagged (``matches_source``) and is listed at the top of the page;
    a row the editor changes is checked as always.
    """

    def _post_clean(self):
        if self.instance.pk and not self.has_changed():
            return
        super()._post_clean()


class QuoteRowsFormSet(SpeakersLookedUpOnce, ReportQuoteFormSet):
    """The report's quotes; the segment menu of every row is read once for them all."""

    @cached_property
    def segment_choices(self):
        field = self.form.base_fields.get("segment")
        segments = field.queryset.filter(report=self.instance.pk).select_related("speaker")
        return [("", field.empty_label), *((s.pk, segment_label(s)) for s in segments)]

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "segment" in form.fields:
            field = form.fields["segment"]
            field.choices = self.segment_choices
            inner = getattr(field.widget, "widget", None)
            if inner is not None:
                inner.choices = field.choices


class QuoteRowsInline(RowAutocompletes, ReportQuoteInline):
    form = QuoteRowForm
    formset = QuoteRowsFormSet

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker")


class TranscriptEditorAdmin:
    """The report admin's hooks for the editor: its routes, the flagged-quotes panel."""

    def get_urls(self):
        return [*views.urls(self), *super().get_urls()]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["flagged_quotes"] = views.flagged_quotes(obj)
        context["flagged_open"] = request.GET.get("flagged") == "new"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_related(self, request, form, formsets, change):
        report = form.instance
        before = set(
            Quote.objects.filter(segment__report=report, matches_source=False).values_list(
                "pk", flat=True
            )
        )
        super().save_related(request, form, formsets, change)
        gate = getattr(request, review_gate_on_request, None)
        if gate is not None and gate.held:
            return  # a held save is rolled back: no quote of the live report stopped matching
        newly = Quote.objects.filter(segment__report=report, matches_source=False)
        newly = list(newly.exclude(pk__in=before))
        if newly:
            request.editor_newly_flagged = newly
            messages.warning(
                request,
                f"This save made {len(newly)} quote(s) stop matching their segment: "
                f"{quote_names(newly)}. See below: update, keep flagged, or remove.",
            )

    def response_change(self, request, obj):
        response = super().response_change(request, obj)
        if getattr(request, "editor_newly_flagged", None):
            url = reverse("admin:archive_report_change", args=[obj.pk])
            return HttpResponseRedirect(f"{url}?flagged=new#flagged-quotes")
        return response
