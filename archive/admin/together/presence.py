"""Who has a report's change form open: one row per (report, user), in the database.

Every app server reads and writes the same rows, so presence needs no shared
cache or external service. Opening the form and each heartbeat record the
user; a row not refreshed for STALE_AFTER is no longer shown and is swept away
by the next check-in, so the table holds about one row per open form.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format

from ...models import EditingPresence

# The page posts a heartbeat this often; three missed beats and it is gone.
HEARTBEAT_SECONDS = 20
STALE_AFTER = timedelta(seconds=60)


def display_name(user):
    return user.get_full_name() or user.get_username()


def sweep(now):
    EditingPresence.objects.filter(seen_at__lt=now - STALE_AFTER).delete()


def check_in(report, user, *, now=None):
    """Record that ``user`` has ``report`` open now; ``since`` stays while they stay."""
    now = now or timezone.now()
    sweep(now)
    # One statement whatever another server does at the same moment (no get-then-insert race).
    EditingPresence.objects.bulk_create(
        [EditingPresence(report=report, user=user, since=now, seen_at=now)],
        update_conflicts=True,
        unique_fields=["report", "user"],
        update_fields=["seen_at"],
    )


def still_here(report, user, *, now=None):
    """A heartbeat: refresh the user's row; False when there is none to refresh.

    It never makes a row: a beat sent just before its page left can reach the
    server after the page's leaving notice, and must not bring the user back.
    The page that gets False is still open, so it checks in again itself.
    """
    now = now or timezone.now()
    sweep(now)
    return bool(EditingPresence.objects.filter(report=report, user=user).update(seen_at=now))


def check_out(report, user):
    EditingPresence.objects.filter(report=report, user=user).delete()


def others_here(report, user, *, now=None):
    """Everyone else with ``report`` open, earliest first: one query (report's unique index)."""
    fresh_from = (now or timezone.now()) - STALE_AFTER
    rows = (
        EditingPresence.objects.filter(report=report, seen_at__gte=fresh_from)
        .exclude(user=user)
        .select_related("user")
        .order_by("since", "pk")
    )
    return [
        {
            "name": display_name(row.user),
            "since": row.since.isoformat(),
            "since_label": date_format(timezone.localtime(row.since), "j M, H:i"),
        }
        for row in rows
    ]
