from django.contrib import admin

from .models import Organization, Quote, Report, Segment, Speaker, Topic


class SegmentInline(admin.TabularInline):
    model = Segment
    extra = 0
    autocomplete_fields = ["speaker"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "outlet", "correspondent", "published_at"]
    list_filter = ["status", "outlet"]
    list_select_related = ["outlet", "correspondent"]
    search_fields = ["title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["outlet", "correspondent", "topics"]
    inlines = [SegmentInline]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["report", "position", "kind", "speaker"]
    list_select_related = ["report", "speaker"]
    search_fields = ["text"]
    autocomplete_fields = ["report", "speaker"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "organization"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    autocomplete_fields = ["organization"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["__str__", "speaker", "featured", "matches_source"]
    list_select_related = ["speaker"]
    list_filter = ["featured", "matches_source"]
    autocomplete_fields = ["segment", "speaker"]
