"""Autocomplete widgets that survive a malformed value.

A form sent back with a malformed id (``topics=abc``, an id beyond any
integer column) must show the form's "select a valid choice" error. Django's
autocomplete widgets instead look the submitted values up to render them
again, and a 500 follows (see also archive/db_lookups.py).
"""

from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


class ValidChoicesOnly:
    """Render only the submitted values that could be ids of the related model."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        to_field = remote.model._meta.get_field(
            getattr(remote, "field_name", None) or remote.model._meta.pk.attname
        )
        return super().optgroups(name, [v for v in value if _could_be(to_field, v)], attr)


def _could_be(field, value):
    if value in (None, ""):
        return True
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class SafeAutocompleteSelect(ValidChoicesOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidChoicesOnly, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteAdmin:
    """For any ModelAdmin or inline: its autocomplete fields use the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        autocomplete = db_field.name in self.get_autocomplete_fields(request)
        plain = db_field.remote_field.through._meta.auto_created  # as Django's own check
        if "widget" not in kwargs and autocomplete and plain:
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
