"""F-API: schemathesis sends generated requests — valid and invalid — to every operation of the OpenAPI
schema, as the sub-district admin. Whatever it sends, the answer is never a 5xx, and every error carries
the error shape of API.md (``{code, detail[, fields]}``) as JSON.

Generated fuzzing always; schemathesis's coverage phase (every field's boundaries) when HUXIAO_FUZZ_COVERAGE=1."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from huxiao.core.models import ApiToken

# Built in-process (no server): the same generator that serves /api/schema/.
_SCHEMA: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(_SCHEMA)
schema.app = get_wsgi_application()
# Revoking the token would end the run early; the token endpoint has its own tests (test_auth).
schema = schema.exclude(path="/api/v1/auth/token/")
# The coverage phase walks every boundary of every field (about 5,600 requests, 45 s of CPU): CI runs it on
# PostgreSQL, the stricter database (``.ci/run`` sets HUXIAO_FUZZ_COVERAGE=1). The README's command keeps
# the generated fuzzing, the same on both databases, so it stays under three minutes (issue #12).
schema.config.phases.coverage.enabled = os.environ.get("HUXIAO_FUZZ_COVERAGE") == "1"


@pytest.fixture
def token(cast) -> Iterator[str]:  # type: ignore[no-untyped-def]
    _record, key = ApiToken.issue(cast.users["admin"])
    # The WSGI handler closes the database connection after each request; inside the test's transaction
    # it must not (django.test.Client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield key
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("detail"), str), (
            f"{case.method} {case.formatted_path} answered {response.status_code} without the error shape: {body}")
        if response.status_code == 400 and body["code"] == "invalid":
            assert isinstance(body.get("fields"), dict) and body["fields"], body
    return None


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_no_operation_answers_5xx_or_breaks_the_error_shape(case: Any, token: str) -> None:
    # A savepoint per request, as a deployment has a transaction per request: on PostgreSQL a refused
    # statement (an offset of +20:24 in a date filter) would otherwise poison every later request of the test.
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=[not_a_server_error])
    error_shape(None, response, case)
