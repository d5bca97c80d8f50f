from django.contrib import admin, messages
from django.db.models import Count, OuterRef
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from .. import curation, workflow
from ..identity import duplicates, matching, merging
from ..models import Organization, Programme, Quote, Segment, Speaker, Topic
from .identity import LikelyDuplicateFilter, SpeakerAliasInline, dismiss_duplicates
from .lookups import search_words
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
        moved = merging.merge_speakers(keep, speakers, user=request.user)
        history = reverse("admin:archive_speaker_history", args=[keep.pk])
        modeladmin.message_user(
            request,
            format_html(
                "Merged into {}: {} appearance(s), {} quote(s), {} filed report(s) moved; "
                '{} speaker(s) removed. Their names are now aliases; <a href="{}">history</a> '
                "can undo the merge.",
                keep,
                moved["segments"],
                moved["quotes"],
                moved["reports"],
                moved["speakers"],
                history,
            ),
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

    # What the public sees of a name changes only with the publish permission: a
    # contributor reads a public speaker, organization, topic or programme, and
    # changes or deletes only those no public report shows yet.
    def has_change_permission(self, request, obj=None):
        if obj is not None and self._public_to(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self._public_to(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    @staticmethod
    def _public_to(request, obj):
        return not workflow.can_publish(request.user) and workflow.shown_to_public(obj)

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
    list_filter = [LikelyDuplicateFilter]
    search_fields = ["name"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["appearances", "quotes"]
    actions = [merge_speakers, dismiss_duplicates]
    inlines = [SpeakerAliasInline]

    def get_inlines(self, request, obj):
        # A new speaker (the report form's "+" popup among them) has no other spellings yet.
        return self.inlines if obj is not None else []

    def get_search_results(self, request, queryset, search_term):
        # Any case, accents or script, and aliases: the report form's autocomplete asks here too.
        return matching.search_speakers(queryset, search_words(search_term)), False

    def get_ordering(self, request):
        if LikelyDuplicateFilter.parameter_name in request.GET:
            return duplicates.DUPLICATE_ORDER
        return super().get_ordering(request)

    def history_view(self, request, object_id, extra_context=None):
        speaker = self.get_object(request, object_id)
        merges = merging.merges_into(speaker) if speaker is not None else []
        return super().history_view(request, object_id, {"merges": merges, **(extra_context or {})})

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
