"""Admin pages beyond the change form: the preview of a report and a comparison of revisions."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView
from reversion.models import Version

from .. import history
from ..models import Report, Segment
from ..views import ReportDetailView


class ReportPreview(ReportDetailView):
    """The public report page for any report, marked as a preview and kept out of caches."""

    template_name = "archive/report_preview.html"

    def get_queryset(self):
        segments = Segment.objects.select_related("speaker").prefetch_related("quotes")
        return Report.objects.select_related("outlet", "correspondent").prefetch_related(
            "topics", Prefetch("segments", queryset=segments)
        )

    def get(self, request, *args, **kwargs):
        # Skip the public view's 410 for withdrawn reports: editors see the page itself.
        return DetailView.get(self, request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        add_never_cache_headers(response)
        return response


def preview(model_admin, request, object_id):
    """Staff who may change the report see the preview; to anyone else it does not exist."""
    user = request.user
    report = model_admin.get_object(request, object_id) if user.is_authenticated else None
    allowed = (
        user.is_active and user.is_staff and model_admin.has_change_permission(request, report)
    )
    if report is None or not allowed:
        raise Http404("No such report.")
    return ReportPreview.as_view()(request, pk=report.pk)


def compare(model_admin, request, object_id):
    report = model_admin.get_object(request, object_id)
    if report is None or not model_admin.has_view_or_change_permission(request, report):
        raise Http404("No such report.")
    versions = Version.objects.get_for_object(report).select_related("revision__user")
    try:
        chosen = [int(request.GET[name]) for name in ("old", "new")]
    except (KeyError, ValueError):
        raise Http404("Choose two versions to compare.") from None
    found = (get_object_or_404(versions, revision_id=pk) for pk in chosen)
    old, new = sorted(found, key=lambda version: version.revision_id)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Compare versions of “{report}”",
        "opts": model_admin.model._meta,
        "original": report,
        "old": old.revision,
        "new": new.revision,
        "differences": history.compare(old.revision, new.revision),
    }
    return TemplateResponse(request, "admin/archive/report/compare.html", context)
