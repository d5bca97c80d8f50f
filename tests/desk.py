"""Helpers for admin tests: users in the editorial groups, and POST data read from a form page."""

import importlib

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.forms import SplitDateTimeWidget
from django.utils import timezone

ROLES = ["anonymous", "contributor", "editor", "superuser"]
GROUPS = {"contributor": "Contributors", "editor": "Editors"}


def make_user(role, *, password=None):
    """A staff user in the role's group (None for anonymous)."""
    if role == "anonymous":
        return None
    User = get_user_model()
    user = User.objects.create_user(
        username=role, password=password, is_staff=True, is_superuser=role == "superuser"
    )
    if role in GROUPS:
        if not Group.objects.filter(name=GROUPS[role]).exists():
            restore_groups()  # a transactional test flushed what the migration made
        user.groups.add(Group.objects.get(name=GROUPS[role]))
    return user


def restore_groups():
    migration = importlib.import_module("archive.migrations.0002_editorial_groups")
    migration.create_groups(apps, None)


def client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _field_data(form, data):
    for name, field in form.fields.items():
        bound = form[name]
        value = field.prepare_value(bound.value())
        widget = getattr(field.widget, "widget", field.widget)
        if isinstance(widget, SplitDateTimeWidget):
            if value:
                local = timezone.localtime(value)
                data[f"{bound.html_name}_0"] = local.strftime("%Y-%m-%d")
                data[f"{bound.html_name}_1"] = local.strftime("%H:%M:%S")
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif value is not None:
            data[bound.html_name] = str(value)


def form_data(response):
    """Everything an admin add/change page would post back unchanged."""
    data = {}
    _field_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _field_data(formset.management_form, data)
        for form in formset.forms:
            _field_data(form, data)
    return data


def split(when):
    local = timezone.localtime(when)
    return {"_0": local.strftime("%Y-%m-%d"), "_1": local.strftime("%H:%M:%S")}


def with_time(data, name, when):
    data = dict(data)
    data.pop(name, None)
    for suffix, value in split(when).items():
        data[name + suffix] = value
    return data
