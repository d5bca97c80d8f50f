"""The editor's actions as admin views, each a POST from the report's change form.

The buttons that post them sit inside the change form (``formaction``), so the
whole form arrives; a view reads only its own fields and refuses, changing
nothing, when the form is stale (someone saved since) or when the segment it
acts on holds unsaved edits. Each action is one revision of the report.
"""

from functools import partial

import reversion
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse

from ... import curation, workflow
from ...models import Quote, Report, Segment, SegmentKind
from ...pending import review_gate
from ..forms import refuse_stale_edit
from . import operations
from .alignment import mismatch, offset_of_words


def record_whole_report(report):
    """Mark ``report`` changed and put all of it, as it now stands, in the open revision.

    Explicitly and last: positions moved by bulk_update send no signal, and a
    part saved earlier in the block was recorded as it was then.
    """
    curation.touch_report(report.pk)
    report = Report.objects.get(pk=report.pk)
    reversion.add_to_revision(report)
    for segment in report.segments.all():
        reversion.add_to_revision(segment)
    for quote in Quote.objects.filter(segment__report=report):
        reversion.add_to_revision(quote)


def _posted_int(request, name):
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise ValidationError("The editor's form was incomplete: reload the page.") from None


def _require(user, codename):
    if not user.has_perm(f"archive.{codename}"):
        raise PermissionDenied


class SegmentAction:
    """An action on one of the report's segments, named by the button that posted it."""

    def __init__(self, request, report):
        self.request, self.report = request, report
        pk = _posted_int(request, "editor_segment")
        self.segment = Segment.objects.filter(report=report, pk=pk).first()
        if self.segment is None:
            raise ValidationError("That segment is no longer in this report: reload the page.")
        self.refuse_unsaved_edits()

    def field(self, name):
        return self.request.POST.get(f"editor-{name}-{self.segment.pk}", "")

    def refuse_unsaved_edits(self):
        """The action works on the saved text: refuse rather than silently drop an edit."""
        post, pk = self.request.POST, str(self.segment.pk)
        for key, value in post.items():
            if key.startswith("segments-") and key.endswith("-id") and value == pk:
                posted = post.get(f"{key[: -len('-id')]}-text")
                saved = operations.line_breaks_as_browsers_send(self.segment.text)
                if posted is not None and operations.line_breaks_as_browsers_send(posted) != saved:
                    raise ValidationError(
                        f"Segment {self.segment.position} has unsaved changes: save the report "
                        "first, then try again (nothing was changed)."
                    )

    @property
    def anchor(self):
        return f"#segment-{self.segment.pk}"


class Split(SegmentAction):
    def __init__(self, request, report):
        super().__init__(request, report)
        _require(request.user, "add_segment")
        offset = request.POST.get("editor_offset", "").strip()
        text = operations.line_breaks_as_browsers_send(self.segment.text)
        if offset:
            try:
                self.offset = int(offset)
            except ValueError:
                raise ValidationError("The split position was not a number.") from None
        else:
            try:
                self.offset = offset_of_words(self.field("split"), text)
            except ValueError as problem:
                raise ValidationError(f"Segment {self.segment.position}: {problem}") from None
        self.comment = f"Split segment {self.segment.position}"

    def apply(self):
        second = operations.split_segment(self.segment, self.offset)
        self.segment = second
        return f"Split: the new segment {second.position} begins “{second.text[:40]}”."


class Merge(SegmentAction):
    def __init__(self, request, report):
        super().__init__(request, report)
        self.comment = f"Merged segment {self.segment.position} into the one before"

    def apply(self):
        position = self.segment.position
        self.segment = operations.merge_into_previous(self.segment)
        return f"Merged segment {position} into segment {self.segment.position}."


class Insert(SegmentAction):
    def __init__(self, request, report):
        super().__init__(request, report)
        _require(request.user, "add_segment")
        self.kind = self.field("insert-kind") or SegmentKind.NARRATION
        if self.kind not in SegmentKind.values:
            raise ValidationError("Choose the new segment's kind from the list.")
        self.text = self.field("insert-text")
        if not self.text.strip():
            raise ValidationError(
                f"Type the text of the segment to insert after segment {self.segment.position}."
            )
        self.comment = f"Inserted a segment after segment {self.segment.position}"

    def apply(self):
        self.segment = operations.insert_segment(
            self.report, self.segment.position, kind=self.kind, text=self.text
        )
        return f"Inserted segment {self.segment.position}."


class QuoteSelection(SegmentAction):
    def __init__(self, request, report):
        super().__init__(request, report)
        _require(request.user, "add_quote")
        self.text = self.field("quote")
        self.comment = f"Quoted segment {self.segment.position}"

    def apply(self):
        quote = operations.quote_words(self.segment, self.text)
        return f"Quoted {quote.speaker}: “{quote.text[:60]}”."


class QuoteAction:
    """An action on one flagged quote of the report, named by the button that posted it."""

    def __init__(self, request, report):
        self.request, self.report = request, report
        pk = _posted_int(request, "editor_quote")
        quote = Quote.objects.filter(segment__report=report, pk=pk).select_related("segment")
        self.quote = quote.first()
        if self.quote is None:
            raise ValidationError("That quote is no longer in this report: reload the page.")
        self.anchor = "#flagged-quotes"


class UpdateQuote(QuoteAction):
    def __init__(self, request, report):
        super().__init__(request, report)
        _require(request.user, "change_quote")
        self.text = request.POST.get(f"editor-proposal-{self.quote.pk}", "")
        self.comment = "Updated a flagged quote with its segment's edit"

    def apply(self):
        operations.update_quote(self.quote, self.text)
        return f"The quote now reads “{self.quote.text[:60]}” and matches its segment again."


class RemoveQuote(QuoteAction):
    def __init__(self, request, report):
        super().__init__(request, report)
        if not workflow.can_delete_part(request.user, Quote):
            raise PermissionDenied
        self.comment = "Removed a quote that no longer matched its segment"

    def apply(self):
        text = self.quote.text
        self.quote.delete()
        return f"Removed the quote “{text[:60]}”."


ACTIONS = {
    "split": Split,
    "merge": Merge,
    "insert": Insert,
    "quote": QuoteSelection,
    "update-quote": UpdateQuote,
    "remove-quote": RemoveQuote,
}


def run(model_admin, action_class, request, object_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    report = model_admin.get_object(request, unquote(object_id))
    if report is None:
        raise Http404("No such report.")
    if not model_admin.has_change_permission(request, report):
        raise PermissionDenied
    change_url = reverse("admin:archive_report_change", args=[report.pk])
    try:
        with transaction.atomic():
            current = Report.objects.select_for_update().get(pk=report.pk)
            refuse_stale_edit(current, request.POST.get("edit_token", ""))
            action = action_class(request, current)
            with review_gate(request, current, comment=action.comment) as gate:
                done = action.apply()
                record_whole_report(current)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect(change_url)
    if gate.pending is not None:
        messages.warning(request, gate.message)
        return redirect(change_url)
    messages.success(request, done)
    return redirect(change_url + action.anchor)


def urls(model_admin):
    wrap = model_admin.admin_site.admin_view
    return [
        path(
            f"<path:object_id>/editor/{name}/",
            wrap(partial(run, model_admin, action_class)),
            name=f"archive_report_editor_{name.replace('-', '_')}",
        )
        for name, action_class in ACTIONS.items()
    ]


def flagged_quotes(report):
    """The report's quotes that no longer match their segment, each with its proposed fix."""
    if report is None or report.pk is None:
        return []
    quotes = Quote.objects.filter(segment__report=report, matches_source=False).select_related(
        "segment", "speaker"
    )
    return [mismatch(quote) for quote in quotes.order_by("segment__position", "pk")]
