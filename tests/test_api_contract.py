"""Contract test: every API operation, called with what its OpenAPI schema allows, answers
as the schema says (status, content type, body) and never with a server error.

Schemathesis generates the requests from the document at /api/v1/openapi.json and
sends them to a live server (pytest-django's ``live_server``) over 127.0.0.1, on
whichever database the suite runs (SQLite or PostgreSQL). Bounded: a fixed number
of examples per operation, no shrinking past a deadline.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from .test_public import HIDDEN_STATES, MARKER, make_full_report

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def api_schema(live_server, transactional_db):
    make_full_report("Contract")
    make_full_report("Kivelä Иванова")
    for state, fields in HIDDEN_STATES.items():
        make_full_report(f"{MARKER}{state}", **fields)
    return schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json", timeout=10)


def test_every_operation_conforms_to_its_schema(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 13  # six resources (list and detail) and search

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def conforms(case):
            response = case.call_and_validate(timeout=10)
            searched = "q=" in response.request.url  # the reader's own words echo back
            assert searched or MARKER not in response.text.lower(), response.request.url

        conforms()
