import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission

ROOT = settings.BASE_DIR


def run_django(env_overrides, code="import django; django.setup(); print('ok')"):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env.update(env_overrides, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_production_without_secret_key_refuses_to_start_in_one_line():
    result = run_django({"DEBUG": "0"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Refusing to start: set SECRET_KEY (or DEBUG=1 for local development)."
    ]


@pytest.mark.parametrize(
    "value, expected", [("1", True), ("true", True), ("0", False), ("false", False)]
)
def test_debug_reads_one_zero_true_false(value, expected):
    code = "from django.conf import settings; print(settings.DEBUG)"
    result = run_django({"DEBUG": value, "SECRET_KEY": "x" * 50}, code)
    assert result.stdout.strip() == str(expected)


def test_allowed_hosts_is_a_comma_separated_list():
    code = "from django.conf import settings; print(settings.ALLOWED_HOSTS)"
    result = run_django({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a.example, b.example"}, code)
    assert result.stdout.strip() == "['a.example', 'b.example']"


def test_database_url_selects_postgresql():
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'])"
    )
    result = run_django(
        {"DEBUG": "1", "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/archive"}, code
    )
    assert result.stdout.strip() == "django.db.backends.postgresql archive"


def test_sqlite_is_set_up_for_concurrent_writers(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection;"
        "c = connection.cursor();"
        "print([c.execute(f'PRAGMA {p}').fetchone()[0]"
        " for p in ('journal_mode', 'busy_timeout', 'foreign_keys')],"
        " connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    database_url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    result = run_django({"DEBUG": "1", "DATABASE_URL": database_url}, code)
    assert result.stdout.strip() == "['wal', 30000, 1] IMMEDIATE", result.stderr


@pytest.mark.django_db
def test_groups_and_publish_permission_exist_on_a_fresh_database():
    publish = Permission.objects.get(codename="publish_report", content_type__app_label="archive")
    editors = Group.objects.get(name="Editors")
    contributors = Group.objects.get(name="Contributors")
    assert publish in editors.permissions.all()
    assert publish not in contributors.permissions.all()
    contributor_codenames = set(contributors.permissions.values_list("codename", flat=True))
    assert {"add_report", "change_report", "change_segment", "add_quote"} <= contributor_codenames
    assert "delete_report" not in contributor_codenames
    assert "delete_report" in set(editors.permissions.values_list("codename", flat=True))
