"""Fuzz every /api/v1 operation from its OpenAPI schema (schemathesis).

Every operation in the schema is exercised, so new endpoints are covered without changes
here. Requests are valid ones (positive) and invalid ones (negative), sent as an admin of
organization A with a real API token. The API must never answer 5xx, and every answer must
match the schema: a documented status, the documented content type and a valid body.
Each generated request runs in a savepoint that is rolled back, so examples stay independent.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from ifm.core.tests.api_helpers import (
    make_api_token,
)

# About 60 seconds at most: fewer examples per operation as the API grows.
EXAMPLE_BUDGET = int(os.environ.get("IFM_FUZZ_BUDGET", "1000"))
MAX_EXAMPLES = 25
MIN_EXAMPLES = 5

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class InTestWSGIApp:
    """Django's WSGI handler, minus the connection closing the test's transaction can't take.

    As Django's own test client does: the database connection stays open across requests.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            content = b"".join(response)
            response.close()
            return [content]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", InTestWSGIApp())


def _fuzz(operation: Any, mode: GenerationMode, token: str, examples: int) -> None:
    strategy = operation.as_strategy(
        generation_mode=mode, headers={"Authorization": f"Bearer {token}"}
    )
    checks = [*CHECKS, negative_data_rejection] if mode == GenerationMode.NEGATIVE else CHECKS

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        with transaction.atomic():
            response = case.call()
            transaction.set_rollback(True)
        case.validate_response(response, checks=checks)

    try:
        run()
    except Unsatisfiable:
        # Nothing to make invalid (an operation without parameters or body).
        if mode != GenerationMode.NEGATIVE:
            raise


def test_every_operation_survives_fuzzing(
    api_schema: Any, cast: dict[str, Any], org_a: Any
) -> None:
    token = make_api_token(cast["admin"], org_a)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 5
    per_run = max(MIN_EXAMPLES, min(MAX_EXAMPLES, EXAMPLE_BUDGET // (2 * len(operations))))
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, token, per_run)
