"""The API against its own OpenAPI schema, with schemathesis in-process (the WSGI app, no server): for every
operation, generated requests, valid and invalid, over the framework's content. No answer may be a server error, and
every answer must be one the schema documents, of its media type, with a body and headers the schema allows.

Runtime is bounded by ``MAX_EXAMPLES`` per operation (29 operations: the root and a list and a detail per type). A
list operation has at most 13 parameters, so 30 examples give each of them values several times over; the whole
module takes about 90 seconds on two cores (two minutes with 40).
"""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


pytestmark = pytest.mark.django_db
# The schema /api/v1/schema/ serves, made by the same generator without a request (collection reads no database).
SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(SCHEMA, cls=DjangoJSONEncoder)))
schema.app = get_wsgi_application()


@pytest.fixture
def served(framework):
    """The framework's records, served through the WSGI handler (the test settings' throttle rate is generous, so
    the answers themselves are under test; tests/api/test_api_http.py tests the throttle).

    As Django's test client does, the handler is kept from closing the database connection after each request: it
    is inside the test's transaction, and on PostgreSQL every later request would find no database.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_the_schema_tested_is_the_one_served(client):
    assert client.get("/api/v1/schema/").json() == json.loads(json.dumps(SCHEMA, cls=DjangoJSONEncoder))


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_its_schema_says(case, served):
    case.call_and_validate(checks=CHECKS)
