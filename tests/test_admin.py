import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_every_archive_model_is_registered_in_the_admin():
    for model in apps.get_app_config("archive").get_models():
        assert admin.site.is_registered(model), model


def test_admin_change_form_opens_for_the_seed_report(admin_client, seed_report):
    response = admin_client.get(f"/admin/archive/report/{seed_report.pk}/change/")
    assert response.status_code == 200
    assert seed_report.title in response.text


def test_ensure_admin_creates_one_administrator_with_a_random_password(capsys):
    from django.contrib.auth import get_user_model

    call_command("ensure_admin")
    first = capsys.readouterr().out
    password = first.rsplit("password: ", 1)[1].split()[0]
    user = get_user_model().objects.get()
    assert user.is_superuser and user.check_password(password)

    call_command("ensure_admin")
    assert "password" not in capsys.readouterr().out
    assert get_user_model().objects.count() == 1
