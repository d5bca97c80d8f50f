"""Admin-login lockout glue for django-axes (configured in settings, "Security")."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LockoutBackend(AxesStandaloneBackend):
    """Counts and refuses logins that come through a web request.

    ``authenticate()`` without a request comes only from code running inside
    the project (a shell, a management command, ``Client.login`` in tests); no
    one on the network can reach it, and axes has no address to count by, so
    it is left to the next backend instead of raising.
    """

    def authenticate(self, request, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def client_ip(request):
    """The client's address, as seen by the outermost trusted proxy."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        hops = [hop.strip() for hop in forwarded if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
