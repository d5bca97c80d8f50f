from django.contrib import admin, messages
from django.db.models import Count, OuterRef
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from .. import curation
from ..models import Organization, Programme, Quote, Segment, Speaker, Topic
from .reports import count_of
from .widgets import SafeAutocompleteAdmin


@admin.action(description="Merge selected speakers into one…", permissions=["delete"])
def merge_speakers(modeladmin, request, queryset):
    """Ask which speaker to keep (the most heard is preselected), then merge."""
    speakers = list(queryset.annotate(appearances=Count("segments")).order_by("name"))
    if len(speakers) < 2:
        modeladmin.message_user(request, "Select at least two speakers to merge.", messages.ERROR)
        return None
    keep = next((s for s in speakers if str(s.pk) == request.POST.get("keep")), None)
    if "apply" in request.POST and keep is not None:
        moved = curation.merge_speakers(keep, speakers)
        modeladmin.message_user(
            request,
            f"Merged into {keep}: {moved['segments']} appearance(s), {moved['quotes']} quote(s), "
            f"{moved['reports']} filed report(s) moved; {moved['speakers']} speaker(s) removed.",
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Merge speakers",
        "opts": modeladmin.model._meta,
        "speakers": speakers,
        "default": curation.most_heard(speakers),
        "action": request.POST["action"],
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
    }
    return TemplateResponse(request, "admin/archive/speaker/merge_form.html", context)


class SlugFromNameAdmin(SafeAutocompleteAdmin, admin.ModelAdmin):
    """The slug may be left empty: saving makes it from the name (NamedBySlug.save).

    A report's ``+`` popup opens this form, and there the prepopulated slug
    does not fill in, so a required slug would leave the editor stuck.
    """

    prepopulated_fields = {"slug": ["name"]}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "slug" in form.base_fields:  # a fresh class and fields per request
            form.base_fields["slug"].required = False
            form.base_fields["slug"].help_text = "Left empty, it is made from the name."
        return form


@admin.register(Speaker)
class SpeakerAdmin(SlugFromNameAdmin):
    list_display = ["name", "role", "organization", "appearances"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["appearances", "quotes"]
    actions = [merge_speakers]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                appearance_count=count_of(Segment, speaker=OuterRef("pk")),
                quote_count=count_of(Quote, speaker=OuterRef("pk")),
            )
        )

    @admin.display(description="appearances", ordering="appearance_count")
    def appearances(self, speaker):
        if speaker.pk is None:
            return "—"
        url = reverse("admin:archive_segment_changelist") + f"?speaker__id__exact={speaker.pk}"
        return format_html('<a href="{}">{}</a>', url, speaker.appearance_count)

    @admin.display(description="quotes")
    def quotes(self, speaker):
        if speaker.pk is None:
            return "—"
        url = reverse("admin:archive_quote_changelist") + f"?speaker__id__exact={speaker.pk}"
        return format_html('<a href="{}">{}</a>', url, speaker.quote_count)


@admin.register(Organization)
class OrganizationAdmin(SlugFromNameAdmin):
    search_fields = ["name"]


@admin.register(Topic)
class TopicAdmin(SlugFromNameAdmin):
    search_fields = ["name"]


@admin.register(Programme)
class ProgrammeAdmin(SlugFromNameAdmin):
    list_display = ["name", "outlet"]
    list_select_related = ["outlet"]
    search_fields = ["name", "outlet__name"]
    autocomplete_fields = ["outlet"]
