"""How the API speaks HTTP: problem-details errors, CORS for GET, Last-Modified.

Every error is ``application/problem+json`` (RFC 9457) with the same shape,
``{"type", "title", "status", "detail"}`` plus ``errors`` for bad parameters,
whether DRF, Django's URL resolver or a bug raised it: never HTML, never a
traceback. ETags and 304s come from ``ConditionalGetMiddleware`` (settings).
"""

import logging
from http import HTTPStatus

from django.http import Http404, JsonResponse
from django.utils.http import http_date
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)


def problem(status, detail, errors=None):
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem_exception_handler(exc, context):
    """DRF's handler, reshaped as a problem; anything unexpected is a logged 500 problem."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("API error", exc_info=exc)
        response = JsonResponse(problem(500, "The server could not answer this request."))
        response.status_code = 500
        response["Content-Type"] = PROBLEM_TYPE
        return response
    if isinstance(exc, exceptions.ValidationError):
        detail, errors = "Some query parameters are not valid.", response.data
    else:
        detail, errors = str(getattr(exc, "detail", exc)), None
    response.data = problem(response.status_code, detail, errors)
    response.content_type = PROBLEM_TYPE
    return response


def problem_response(status, detail):
    """A problem outside DRF (unknown /api/ URL, a crash before a view ran)."""
    response = JsonResponse(problem(status, detail), status=status)
    response["Content-Type"] = PROBLEM_TYPE
    response["Access-Control-Allow-Origin"] = "*"
    return response


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = serializers.DictField(required=False)


class ApiHeadersMixin:
    """CORS for everyone's GETs, and Last-Modified where the view knows it."""

    last_modified = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        if self.last_modified is not None and response.status_code == 200:
            response["Last-Modified"] = http_date(self.last_modified.timestamp())
        return response

    def note_modified(self, *moments):
        moments = [moment for moment in moments if moment is not None]
        if moments:
            self.last_modified = max([*moments, *filter(None, [self.last_modified])])
