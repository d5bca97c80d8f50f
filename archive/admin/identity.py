"""The desk's side of one identity per person: aliases, likely duplicates, merges and their undo.

The rules are archive/identity/'s; this module only shows them and asks for them.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ..identity import duplicates, merging
from ..identity.models import DuplicateDismissal, SpeakerAlias, SpeakerMerge

# Each pair is remembered both ways: a group, not the whole list.
MAX_DISMISSED = 50


class SpeakerAliasInline(admin.TabularInline):
    model = SpeakerAlias
    fields = ["name", "merged_slug", "created_at"]
    readonly_fields = ["merged_slug", "created_at"]
    extra = 0


class LikelyDuplicateFilter(admin.SimpleListFilter):
    """Speakers that are likely someone else on the list too, grouped together."""

    title = "likely duplicates"
    parameter_name = "duplicates"

    def lookups(self, request, model_admin):
        return [("likely", "Same name without accents, or initial and surname")]

    def queryset(self, request, queryset):
        if self.value() == "likely":
            return duplicates.with_likely_duplicates(queryset)
        return queryset


@admin.action(description="Not the same person: stop suggesting these", permissions=["delete"])
def dismiss_duplicates(modeladmin, request, queryset):
    speakers = list(queryset[: MAX_DISMISSED + 1])
    if not 2 <= len(speakers) <= MAX_DISMISSED:
        modeladmin.message_user(
            request, f"Select between 2 and {MAX_DISMISSED} speakers.", messages.ERROR
        )
        return
    duplicates.dismiss(speakers, user=request.user)
    modeladmin.message_user(
        request,
        f"{len(speakers)} speakers are no longer suggested as duplicates of one another.",
        messages.SUCCESS,
    )


@admin.register(SpeakerAlias)
class SpeakerAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "speaker", "merged_slug", "created_at"]
    list_select_related = ["speaker"]
    search_fields = ["name_key", "speaker__sort_name"]
    autocomplete_fields = ["speaker"]


@admin.register(DuplicateDismissal)
class DuplicateDismissalAdmin(admin.ModelAdmin):
    """Dismissed suggestions; delete one to have the pair suggested again."""

    list_display = ["speaker", "other", "dismissed_by", "dismissed_at"]
    list_select_related = ["speaker", "other", "dismissed_by"]
    readonly_fields = ["speaker", "other", "dismissed_by", "dismissed_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SpeakerMerge)
class SpeakerMergeAdmin(admin.ModelAdmin):
    """Merges, newest first, each with its undo (the kept speaker's history links here too)."""

    list_display = ["__str__", "who", "when", "undone_at", "undo"]
    list_select_related = ["revision__user"]
    readonly_fields = ["revision", "kept_id", "moved", "undone_at", "undone_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="merged by")
    def who(self, merge):
        return merge.revision.user

    @admin.display(description="when", ordering="revision__date_created")
    def when(self, merge):
        return merge.revision.date_created

    @admin.display(description="")
    def undo(self, merge):
        if merge.undone_at:
            return ""
        url = reverse("admin:archive_speakermerge_undo", args=[merge.pk])
        return format_html('<a href="{}">Undo…</a>', url)

    def get_urls(self):
        undo = self.admin_site.admin_view(self.undo_view)
        return [path("<int:merge_id>/undo/", undo, name="archive_speakermerge_undo")] + (
            super().get_urls()
        )

    def undo_view(self, request, merge_id):
        """GET: what the undo brings back; POST: undo it (editors only)."""
        merge = get_object_or_404(SpeakerMerge.objects.select_related("revision"), pk=merge_id)
        merging.check_may_merge(request.user)
        if request.method == "POST":
            try:
                restored = merging.undo_merge(merge, user=request.user)
            except PermissionDenied as refusal:
                self.message_user(request, f"Not undone: {refusal}", messages.ERROR)
                return redirect("admin:archive_speakermerge_changelist")
            names = ", ".join(str(speaker) for speaker in restored)
            self.message_user(request, f"Merge undone: {names} restored.", messages.SUCCESS)
            return redirect("admin:archive_speaker_change", restored[0].pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Undo a merge",
            "opts": self.model._meta,
            "merge": merge,
            "restores": [
                (speaker, {name: len(ids) for name, ids in merge.moved[str(speaker.pk)].items()})
                for speaker in merging.merged_speakers(merge)
            ],
        }
        return TemplateResponse(request, "admin/archive/speakermerge/undo_form.html", context)
