"""Read replicas: public reads go to ``replica``, everything else to ``default``.

Active only when ``DATABASE_REPLICA_URL`` is set (config/settings.py). Every
write goes to the primary. So does every read of a request that may write or
that an editor makes (any method but GET and HEAD, anything under the admin,
which includes the preview), and every read inside a transaction on the
primary: an editor never reads data older than their own last save. Public
pages, which may trail the primary by the replica's lag, read the replica,
and so does the page cache's key (archive/caching.py), so a page is never
cached under a newer key than the data it was rendered from.
"""

import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
SAFE_METHODS = {"GET", "HEAD"}

_primary_only = contextvars.ContextVar("primary_only", default=False)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        instance = hints.get("instance")
        if instance is not None and instance._state.db:
            return instance._state.db  # related rows from where the object came
        if _primary_only.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return REPLICA if REPLICA in settings.DATABASES else DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def needs_primary(request):
    return request.method not in SAFE_METHODS or request.path.startswith(settings.ADMIN_PATH)


class PrimaryForEditorsMiddleware:
    """Pin a request's reads to the primary when it may write or is the admin's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _primary_only.set(needs_primary(request))
        try:
            return self.get_response(request)
        finally:
            _primary_only.reset(token)


class primary_only:
    """``with primary_only():`` reads in the block go to the primary (commands, tests)."""

    def __enter__(self):
        self._token = _primary_only.set(True)

    def __exit__(self, *exc):
        _primary_only.reset(self._token)
