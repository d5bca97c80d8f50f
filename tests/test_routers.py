"""Read replicas (config/routers.py): public reads go to the replica; every
write, the admin (the preview included) and reads inside a transaction go to
the primary.
"""

import json
import shutil
import subprocess
import sys
import textwrap
from unittest import mock

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.test import RequestFactory

from archive.models import Report
from config.routers import REPLICA, PrimaryReplicaRouter, needs_primary, primary_only


def with_replica():
    """The router sees a replica configured (it only asks whether one is)."""
    return mock.patch.dict(settings.DATABASES, {REPLICA: settings.DATABASES[DEFAULT_DB_ALIAS]})


@with_replica()
def test_writes_always_go_to_the_primary():
    router = PrimaryReplicaRouter()
    assert router.db_for_write(Report) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Report) == REPLICA
    assert not router.allow_migrate(REPLICA, "archive")


@with_replica()
@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_or_pinned_go_to_the_primary():
    router = PrimaryReplicaRouter()
    with transaction.atomic():
        assert router.db_for_read(Report) == DEFAULT_DB_ALIAS
    with primary_only():
        assert router.db_for_read(Report) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Report) == REPLICA


@pytest.mark.parametrize(
    "method, path, primary",
    [
        ("get", "/reports/", False),
        ("head", "/quotes/", False),
        ("post", "/reports/", True),
        ("get", "/admin/archive/report/", True),
        ("get", "/admin/archive/report/1/preview/", True),
        ("post", "/admin/login/", True),
    ],
)
def test_requests_that_may_write_or_come_from_the_admin_read_the_primary(method, path, primary):
    assert needs_primary(getattr(RequestFactory(), method)(path)) is primary


def test_without_a_replica_everything_reads_the_primary():
    assert REPLICA not in settings.DATABASES
    assert PrimaryReplicaRouter().db_for_read(Report) == DEFAULT_DB_ALIAS


# Against real files: the replica is a copy taken before the report was written,
# so it is stale, and every statement it receives is recorded.
SCRIPT = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.test.utils import setup_test_environment
    setup_test_environment()
    from datetime import timedelta
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.test import Client
    from django.utils import timezone
    from archive.models import Report

    replica_sql = []
    def record(execute, sql, params, many, context):
        replica_sql.append(sql)
        return execute(sql, params, many, context)

    with connections["replica"].execute_wrapper(record):
        report = Report.objects.create(
            title="Fresh on the primary", status="published",
            published_at=timezone.now() - timedelta(minutes=1),
        )
        public = Client().get("/reports/").content.decode()
        editor = get_user_model().objects.create_superuser("ed", "ed@example.org", "x")
        client = Client()
        client.force_login(editor)
        preview = client.get(f"/admin/archive/report/{report.pk}/preview/")
        saved = client.get(f"/admin/archive/report/{report.pk}/change/")
    print(json.dumps({
        "replica_sql": replica_sql,
        "public_shows_it": "Fresh on the primary" in public,
        "preview_status": preview.status_code,
        "preview_shows_it": "Fresh on the primary" in preview.content.decode(),
        "change_status": saved.status_code,
    }))
    """
)


def test_with_a_stale_replica_writes_and_previews_use_the_primary(tmp_path):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{primary}",
    }
    run = {"cwd": settings.BASE_DIR, "capture_output": True, "text": True, "timeout": 300}
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, **run)
    assert migrate.returncode == 0, migrate.stderr
    shutil.copy(primary, replica)
    env["DATABASE_REPLICA_URL"] = f"sqlite:///{replica}"
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, **run)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["replica_sql"], "public reads went to the replica"
    writes = [sql for sql in seen["replica_sql"] if not sql.lstrip().upper().startswith("SELECT")]
    assert writes == []
    assert not seen["public_shows_it"]  # the public list read the stale replica
    assert (seen["preview_status"], seen["preview_shows_it"]) == (200, True)
    assert seen["change_status"] == 200
