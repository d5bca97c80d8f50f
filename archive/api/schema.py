"""OpenAPI details drf-spectacular cannot infer: every operation's error responses."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from .http import PROBLEM_TYPE, ProblemSerializer

ERRORS = {
    "400": "A query parameter is not valid.",
    "404": "No such public object, or an invalid cursor.",
    "406": "The Accept header allows no format this API serves.",
}


class ArchiveAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status, description in ERRORS.items():
            problem = OpenApiResponse(ProblemSerializer, description=description)
            responses.setdefault(status, self._get_response_for_code(problem, status))
            content = responses[status].get("content", {})
            if "application/json" in content:
                responses[status]["content"] = {PROBLEM_TYPE: content["application/json"]}
        return responses
