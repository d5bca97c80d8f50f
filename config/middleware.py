"""Requests refused before any view runs."""

from django.core.exceptions import BadRequest
from django.http import Http404


class RefuseNulMiddleware:
    """A NUL character in the path is 404, in the query string 400.

    No slug, id or search term holds a NUL, and PostgreSQL refuses any query
    that carries one (a 500 from every lookup, filter and autocomplete term), so
    it is stopped here, once, rather than in each view. Form fields refuse NUL
    themselves (Django's CharField does), so POST bodies are left to them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404("No page has a NUL character in its address.")
        if request.path_info.startswith("/api/"):
            # The API validates its own parameters against its OpenAPI document (slugs
            # by pattern; a NUL in search words is a separator) and answers problem JSON.
            return self.get_response(request)
        if any("\x00" in text for key, values in request.GET.lists() for text in (key, *values)):
            raise BadRequest("A NUL character in the query string.")
        return self.get_response(request)
