"""The desk home's sections (archive/admin/home/), for the admin index template."""

from django import template

from ..admin.home.sections import sections_for

register = template.Library()


@register.inclusion_tag("admin/archive/includes/desk_home.html", takes_context=True)
def desk_home(context):
    user = context["request"].user
    # Staff who may not see reports see no counts of them either.
    sees_reports = user.has_perm("archive.view_report") or user.has_perm("archive.change_report")
    return {
        "sections": sections_for(user) if sees_reports else [],
        "can_import": user.has_perm("archive.add_report"),
    }
