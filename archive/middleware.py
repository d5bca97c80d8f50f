"""HTTP as shared caches and browsers expect: compression and Cache-Control.

- **Compression**: brotli where the client asks for it, gzip otherwise
  (Django's ``GZipMiddleware``). A response that may carry a secret is sent
  uncompressed, so a BREACH attacker who injects text cannot read the secret
  off the compressed length: one with a CSRF token rendered into it, one that
  read or wrote the session (the admin, previews, anything a signed-in user
  sees) and one that sets a cookie.
- **Cache-Control**: public pages may be kept briefly by a shared cache in
  front; what a view already decided (the admin's and previews' never-cache,
  WhiteNoise's far-future static files) stands; errors are never stored, so a
  report that is withdrawn, or a draft that goes live, is seen at once.

ETags and 304 answers come from Django's ``ConditionalGetMiddleware``, placed
inside this one so the tag is computed on the uncompressed body.
"""

import re

import brotli
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_cache_control, patch_vary_headers

PUBLIC_MAX_AGE = 60  # seconds a browser may reuse a public page without asking
SHARED_MAX_AGE = 300  # seconds a shared cache (a CDN, a proxy) may
_ACCEPTS_BROTLI = re.compile(r"\bbr\b")
MIN_COMPRESS_BYTES = 200


def may_carry_secrets(request, response):
    """True when compressing the body could leak a secret to a length-measuring attacker.

    Reading an empty session (an anonymous reader's: the page cache asks whether
    the user is signed in) exposes nothing; a session with a key or data does.
    """
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or response.cookies:
        return True
    session = getattr(request, "session", None)
    if session is None:
        return False
    return session.modified or (session.accessed and not session.is_empty())


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if may_carry_secrets(request, response):
            return response
        accepts = request.META.get("HTTP_ACCEPT_ENCODING", "")
        if response.streaming or not _ACCEPTS_BROTLI.search(accepts):
            return super().process_response(request, response)
        if len(response.content) < MIN_COMPRESS_BYTES or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        compressed = brotli.compress(response.content, quality=5)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response["ETag"] = "W/" + etag  # the bytes differ from the uncompressed tag's
        response["Content-Encoding"] = "br"
        return response


class CacheControlMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        if response.status_code >= 400:
            patch_cache_control(response, no_store=True)
        elif (
            request.method in ("GET", "HEAD")
            and response.status_code in (200, 301, 304)
            and not may_carry_secrets(request, response)
        ):
            patch_cache_control(
                response, public=True, max_age=PUBLIC_MAX_AGE, s_maxage=SHARED_MAX_AGE
            )
        else:
            patch_cache_control(response, private=True, no_cache=True)
        return response
