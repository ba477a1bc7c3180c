"""Property-based fuzzing of every API operation from the OpenAPI schema: never a server error."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory

EXAMPLES = 20


@pytest.fixture
def api_schema(db, catalog, clerk, receive):
    from onestop.wsgi import application

    receive("1.000656")  # one dossier for the detail and action operations
    # As Django's test client does: keep the test's connection (and its transaction) open across
    # the requests made straight to the WSGI application.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_no_operation_answers_a_server_error(api_schema, province):
    admin = UserFactory(username="fuzzer", role="admin", agency=province, is_superuser=True, is_staff=True)
    token, _ = Token.objects.get_or_create(user=admin)
    headers = {"Authorization": f"Token {token.key}"}
    tried, errors = [], []

    def fuzz_operation(operation):
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            response = case.call(headers=headers)
            if response.status_code >= 500:
                errors.append((operation.path, case.path_parameters, case.query, case.body, response.status_code))

        fuzz()

    for result in api_schema.get_all_operations():
        operation = result.ok()
        tried.append(f"{operation.method.upper()} {operation.path}")
        fuzz_operation(operation)
    assert len(tried) >= 8, tried
    assert not errors, errors[:5]
