"""The desk's side of pending changes (``archive.pending``): the list of them."""

from django.contrib import admin

from ..models import PendingChange


@admin.register(PendingChange)
class PendingChangeAdmin(admin.ModelAdmin):
    """Pending changes are made by saving a live report and ended by publishing or discarding."""

    list_display = ["report", "author", "created_at", "comment"]
    list_select_related = ["report", "author"]
    fields = ["report", "author", "created_at", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
