"""The desk home's sections (archive/admin/home/), for the admin index template."""

from django import template

from ..admin.home.sections import sections_for

register = template.Library()


@register.inclusion_tag("admin/archive/includes/desk_home.html", takes_context=True)
def desk_home(context):
    user = context["request"].user
    return {
        "sections": sections_for(user),
        "can_import": user.has_perm("archive.add_report"),
    }
