"""The desk's side of pending changes (``archive.pending``).

Every admin route that writes to a report or its parts runs through
:func:`archive.pending.review_gate`: the report's form and inlines (with an
editor's "Save as pending change"), the segment, quote and correction pages
(add, change, delete), their bulk actions, and revert and recover. Editors
review a pending change on its own page (field-by-field and word-level
differences) and publish or discard it there.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime

from .. import workflow
from ..models import PendingChange, Quote, Report, Segment
from ..pending import review, review_gate
from ..pending.gate import ACTIVE, must_review
from ..pending.snapshots import is_live, live_q

HOLD = "_save_pending"  # the name of the editors' "Save as pending change" button


def change_url(report):
    return reverse("admin:archive_report_change", args=[report.pk])


def review_url(change):
    return reverse("admin:archive_report_pending", args=[change.report_id, change.pk])


class ReviewGatedAdmin:
    """Runs a view's writes to one report through the review gate and says what became of them."""

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        gate = getattr(request, ACTIVE, None)
        if gate is not None and gate.held and level == messages.SUCCESS:
            return  # "changed successfully" is not true of a held change: the gate says what is
        super().message_user(request, message, level, *args, **kwargs)

    def gated(self, request, reports, run, *, hold=False):
        """``run()`` (a view) through the gate of the one report it writes to.

        Writing to two reports at once (moving a part between them) is refused
        when either is live and the user may not publish.
        """
        reports = [report for report in reports if report is not None]
        if len(reports) > 1 and any(must_review(request.user, r) for r in reports):
            self.message_user(
                request,
                "Not saved: this would move a part between two reports, one of them live. "
                "Only editors may change what the public sees; ask one to make this move.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        if not reports:
            return run()
        with review_gate(request, reports[0], hold=hold) as gate:
            response = run()
        if gate.pending is not None:
            self.message_user(request, gate.message, messages.WARNING)
            if isinstance(response, HttpResponseRedirect):
                response = redirect(change_url(gate.report))
        return response

    def reports_of_revision(self, revision):
        """The reports a revision holds that exist now: what reverting to it writes to."""
        ids = [
            version.object_id
            for version in revision.version_set.select_related("content_type")
            if version.content_type.model_class() is Report
        ]
        return list(Report.objects.filter(pk__in=ids))

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        parent = super()._reversion_revisionform_view
        if request.method != "POST":
            return parent(request, version, template_name, extra_context)
        reports = self.reports_of_revision(version.revision)
        return self.gated(
            request, reports, lambda: parent(request, version, template_name, extra_context)
        )


class PendingChangeFilter(admin.SimpleListFilter):
    title = "pending change"
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("yes", "Waits for review"), ("no", "None")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(has_pending=self.value() == "yes")
        return queryset


class ReviewGatedReportAdmin(ReviewGatedAdmin):
    """The report's form, its changelist's "Pending change" column and filter, the review page."""

    def get_queryset(self, request):
        pending = PendingChange.objects.filter(report=OuterRef("pk"))
        return super().get_queryset(request).annotate(has_pending=Exists(pending))

    def get_list_display(self, request):
        return [*super().get_list_display(request), "pending_change"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), PendingChangeFilter]

    @admin.display(description="pending change", boolean=True, ordering="has_pending")
    def pending_change(self, report):
        return report.has_pending

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id)) if object_id else None
        context = {**pending_context(request, report), **(extra_context or {})}
        parent = super().changeform_view
        if request.method != "POST" or report is None:
            return parent(request, object_id, form_url, context)
        hold = HOLD in request.POST and context["may_hold"]
        return self.gated(
            request, [report], lambda: parent(request, object_id, form_url, context), hold=hold
        )

    def get_urls(self):
        pending = self.admin_site.admin_view(self.pending_view)
        return [
            path(
                "<path:object_id>/pending/<int:change_id>/", pending, name="archive_report_pending"
            ),
            *super().get_urls(),
        ]

    def pending_view(self, request, object_id, change_id):
        """A pending change beside the live report; its Publish and Discard buttons (POST)."""
        report = self.get_object(request, unquote(object_id))
        if report is None or not self.has_view_or_change_permission(request, report):
            raise Http404("No such report.")
        change = get_object_or_404(
            PendingChange.objects.select_related("author"), pk=change_id, report=report
        )
        if request.method == "POST":
            return self._answer(request, report, change, request.POST.get("answer"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Pending change to “{report}”",
            "opts": self.model._meta,
            "original": report,
            "change": change,
            "stale": review.is_stale(change),
            "differences": review.differences(change),
            "may_publish": workflow.can_publish(request.user),
            "may_discard": review.may_discard(request.user, change),
        }
        return TemplateResponse(request, "admin/archive/report/pending_review.html", context)

    def _answer(self, request, report, change, answer):
        try:
            if answer == "publish":
                review.publish(change, user=request.user)
                done = f"The pending change by {review.by_whom(change.author)} is live."
            elif answer == "discard":
                review.discard(change, user=request.user)
                done = f"The pending change by {review.by_whom(change.author)} was discarded."
            else:
                raise ValidationError("Choose Publish or Discard.")
        except (PermissionDenied, ValidationError) as refusal:
            text = " ".join(getattr(refusal, "messages", None) or [str(refusal)])
            self.message_user(request, f"Not done: {text}", messages.ERROR)
            return redirect(review_url(change))
        self.message_user(request, done, messages.SUCCESS)
        return redirect(change_url(report))


def pending_context(request, report):
    """What the change form says about the live version and the pending ones."""
    live = is_live(report)
    changes = review.pending_for(report) if report is not None and report.pk else []
    for change in changes:
        change.review_url = review_url(change)
        change.when = date_format(localtime(change.created_at), "j M Y, H:i")
        change.by = review.by_whom(change.author)
    return {
        "report_is_live": live,
        "pending_changes": changes,
        "own_pending": [c for c in changes if c.author_id == request.user.pk],
        "may_hold": live and workflow.can_publish(request.user),
        "may_review": workflow.can_publish(request.user),
    }


def as_id(value):
    """A posted primary key as an int, or None when it cannot be one (the form says why)."""
    if value.isascii() and value.isdigit() and int(value) < 2**63:
        return int(value)
    return None


class ReviewGatedPartAdmin(ReviewGatedAdmin):
    """A report's segments, quotes and corrections on their own pages and in bulk."""

    def posted_report(self, request):
        """The report a POST names for the part (its report, or its segment's), if any."""
        for name, model in (("report", Report), ("segment", Segment)):
            value = as_id(request.POST.get(name, ""))
            if any(f.name == name for f in self.model._meta.fields) and value is not None:
                if model is Report:
                    return Report.objects.filter(pk=value).first()
                segment = Segment.objects.filter(pk=value).select_related("report").first()
                return segment.report if segment else None
        return None

    def _reports(self, request, object_id):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        current = Report.objects.filter(pk=self.report_id_of(obj)).first() if obj else None
        posted = self.posted_report(request)
        return [current] if posted is None or posted == current else [current, posted]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        parent = super().changeform_view
        if request.method != "POST":
            return parent(request, object_id, form_url, extra_context)
        run = lambda: parent(request, object_id, form_url, extra_context)  # noqa: E731
        return self.gated(request, self._reports(request, object_id), run)

    def delete_view(self, request, object_id, extra_context=None):
        parent = super().delete_view
        if request.method != "POST":
            return parent(request, object_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        report = Report.objects.filter(pk=self.report_id_of(obj)).first() if obj else None
        return self.gated(request, [report], lambda: parent(request, object_id, extra_context))

    def response_action(self, request, queryset):
        """Bulk actions on parts of live reports are for editors: one gate holds one report."""
        if not workflow.can_publish(request.user):
            selected = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
            if request.POST.get("select_across", "0") == "0":
                queryset = queryset.filter(pk__in=[as_id(v) for v in selected if as_id(v)])
            field = "segment__report" if self.model is Quote else "report"
            if Report.objects.filter(live_q(), pk__in=queryset.values(field)).exists():
                self.message_user(
                    request,
                    "Not done: some of these belong to a live report; only editors may "
                    "change what the public sees.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


@admin.register(PendingChange)
class PendingChangeAdmin(admin.ModelAdmin):
    """Pending changes are made by saving a live report and ended by publishing or discarding."""

    list_display = ["report", "author", "created_at", "comment", "review"]
    list_select_related = ["report", "author"]
    fields = ["report", "author", "created_at", "comment"]
    readonly_fields = fields

    @admin.display(description="")
    def review(self, change):
        return format_html('<a href="{}">Review</a>', review_url(change))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
