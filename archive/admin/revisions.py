"""History, revert and recover for every versioned model, through ``history.Revert``."""

from contextlib import contextmanager

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from reversion.admin import VersionAdmin

from .. import history
from .widgets import SafeAutocompleteAdmin


class GuardedVersionAdmin(SafeAutocompleteAdmin, VersionAdmin):
    """django-reversion's views, with each revert and recover checked by ``history.Revert``.

    A version of another model (``/admin/archive/segment/recover/<a report's
    version>/``) does not exist here.
    """

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        if version.content_type.model_class() is not self.model:
            raise Http404("No such version.")
        revert = history.Revert(version.revision, user=request.user)
        request.archive_revert = revert
        try:
            with revert.applying() as applied:
                response = super()._reversion_revisionform_view(
                    request, version, template_name, extra_context
                )
                # A GET only shows the old version; a refused form changes nothing either.
                applied.keep = request.method == "POST" and response.status_code == 302
        except PermissionDenied as refusal:
            self.message_user(request, f"Not reverted: {refusal}", messages.ERROR)
            return redirect(self._history_or_recover_list(version))
        return response

    @contextmanager
    def create_revision(self, request):
        # django-reversion opens the revision right after writing the old version back.
        revert = request.__dict__.pop("archive_revert", None)
        if revert is not None:
            revert.reattach_merged_speakers()
            for note in revert.notes:
                self.message_user(request, note, messages.WARNING)
        with super().create_revision(request):
            yield

    def _history_or_recover_list(self, version):
        opts = self.model._meta
        name = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
        if self.model._default_manager.filter(pk=version.object_id).exists():
            return reverse(f"{name}_history", args=[quote(version.object_id)])
        return reverse(f"{name}_recoverlist")
