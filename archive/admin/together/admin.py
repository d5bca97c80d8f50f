"""The ReportAdmin mixin: presence on the change form and its heartbeat, the refused-save panel."""

from functools import partial

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from . import conflicts, presence


class WorkingTogether:
    """Mixed into ReportAdmin before its ModelAdmin base."""

    def get_urls(self):
        beat = self.admin_site.admin_view(require_POST(partial(heartbeat, self)))
        return [
            path("<path:object_id>/presence/", beat, name="archive_report_presence"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk and self.has_change_permission(request, obj):
            presence.check_in(obj, request.user)
            context["presence"] = {
                "url": reverse("admin:archive_report_presence", args=[obj.pk]),
                "heartbeat_seconds": presence.HEARTBEAT_SECONDS,
                "others": presence.others_here(obj, request.user),
            }
            form = context["adminform"].form
            if getattr(form, "refused_over", None) is not None:
                formsets = [inline.formset for inline in context["inline_admin_formsets"]]
                context["conflict"] = conflicts.their_changes(
                    obj, form.refused_over, form.refused_by, form, formsets
                )
        return super().render_change_form(request, context, add, change, form_url, obj)


def heartbeat(model_admin, request, object_id):
    """POST: I still have the report open; who else has.

    With ``leaving``: I no longer have it open. With ``rejoin``: I had dropped
    off (``present`` was false: asleep, or offline for a while) and am back.
    """
    report = model_admin.get_object(request, unquote(object_id))
    if report is None:
        raise Http404("No such report.")
    if not model_admin.has_change_permission(request, report):
        raise PermissionDenied
    user = request.user
    if request.POST.get("leaving"):
        presence.check_out(report, user)
        return JsonResponse({"present": False, "others": []})
    if request.POST.get("rejoin"):
        presence.check_in(report, user)
        present = True
    else:
        present = presence.still_here(report, user)
    return JsonResponse({"present": present, "others": presence.others_here(report, user)})
