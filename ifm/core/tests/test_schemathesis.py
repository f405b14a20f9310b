"""Fuzz every /api/v1 operation from its OpenAPI schema (schemathesis).

Every operation in the schema is exercised, so new endpoints are covered without changes
here. Requests are valid ones (positive) and invalid ones (negative), sent as an admin of
organization A with a real API token. The API must never answer 5xx, and every answer must
match the schema: a documented status, the documented content type and a valid body.
Each generated request runs in a savepoint that is rolled back, so examples stay independent.

Objects are seeded first, one of each model an operation takes the id of (the tenant-isolation
registry knows how to make them), and valid requests use their ids, so the fuzzing reaches the
code behind each operation instead of stopping at 404. Invalid requests keep their generated ids.
`make fuzz` runs the same test with a larger budget (IFM_FUZZ_BUDGET).
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.db import transaction
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

from ifm.core.tests.api_helpers import InTestWSGIApp, make_api_token
from ifm.tenancy.tests.tenant_factories import FACTORIES, PARAM_MODELS, PARAM_VALUES

# About two minutes in CI: fewer examples per operation as the API grows. `make fuzz` raises
# both (about 6,000 requests) for a run before a release.
EXAMPLE_BUDGET = int(os.environ.get("IFM_FUZZ_BUDGET", "1000"))
MAX_EXAMPLES = int(os.environ.get("IFM_FUZZ_MAX_EXAMPLES", "25"))
MIN_EXAMPLES = 5
# The coverage phase's boundary and type-mutation cases, at most this many per operation.
COVERAGE_PER_OPERATION = int(os.environ.get("IFM_FUZZ_COVERAGE", "15"))
# Stateful runs: scenarios of up to STATEFUL_STEPS calls following the OpenAPI links.
STATEFUL_SCENARIOS = int(os.environ.get("IFM_FUZZ_STATEFUL", "15"))
STATEFUL_STEPS = 8

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", InTestWSGIApp())


def _model_label(param: str) -> str | None:
    """The model behind an id path parameter: `<model>_id`, or the registry's mapping."""
    if param in PARAM_MODELS:
        return PARAM_MODELS[param]
    stem = param.rsplit("_", 1)[0].replace("_", "")
    labels = [
        m._meta.label_lower
        for m in apps.get_models()
        if m.__name__.lower() == stem and m._meta.label_lower in FACTORIES
    ]
    return labels[0] if len(labels) == 1 else None


def seed_objects(operations: list[Any], org: Any) -> dict[str, int]:
    """One object of each model the operations take the id of: path parameter -> its id."""
    seeded: dict[str, Any] = {}
    made: dict[str, int] = {}
    for operation in operations:
        for param in operation.path_parameters:
            if param.name in PARAM_VALUES:  # not a tenant row's id (a job's UUID)
                seeded[param.name] = PARAM_VALUES[param.name]
                continue
            label = _model_label(param.name)
            if label is None or param.name in seeded:
                continue
            if label not in made:
                made[label] = FACTORIES[label](org).pk
            seeded[param.name] = made[label]
    return seeded


def _with_seeded_ids(case: Any, seeded: dict[str, Any]) -> Any:
    for name in list(case.path_parameters or {}):
        if name in seeded:
            case.path_parameters[name] = seeded[name]
    return case


def _fuzz(
    operation: Any, mode: GenerationMode, token: str, examples: int, seeded: dict[str, Any]
) -> None:
    strategy = operation.as_strategy(generation_mode=mode, headers=_auth(token))
    if mode == GenerationMode.POSITIVE:
        strategy = strategy.map(lambda case: _with_seeded_ids(case, seeded))
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
    seeded = seed_objects(operations, org_a)
    id_params = {p.name for op in operations for p in op.path_parameters}
    # Every id an operation takes has an object behind it.
    assert id_params <= set(seeded), sorted(id_params - set(seeded))
    per_run = max(MIN_EXAMPLES, min(MAX_EXAMPLES, EXAMPLE_BUDGET // (2 * len(operations))))
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, token, per_run, seeded)


def _auth(token: str) -> dict[str, str]:
    # Answers uncompressed: the in-process transport hands the body over as the server sent it,
    # and a gzipped body is not JSON to the checks (HTTP clients decompress by themselves).
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


def test_coverage_phase(api_schema: Any, cast: dict[str, Any], org_a: Any) -> None:
    """Schemathesis' coverage phase: each parameter and field at its bounds, and just past them.

    Deterministic, so the same requests every run; valid ones use the seeded ids.
    """
    token = make_api_token(cast["admin"], org_a)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    seeded = seed_objects(operations, org_a)
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    sent = 0
    for operation in operations:
        config = api_schema.config.generation_for(operation=operation, phase="coverage")
        cases = api_schema.iter_coverage_cases(
            operation, generation_modes=modes, generation_config=config
        )
        for case in itertools.islice(cases, COVERAGE_PER_OPERATION):
            negative = case.meta.generation.mode == GenerationMode.NEGATIVE
            if not negative:
                _with_seeded_ids(case, seeded)
            with transaction.atomic():
                response = case.call(headers=_auth(token))
                transaction.set_rollback(True)
            checks = [*CHECKS, negative_data_rejection] if negative else CHECKS
            case.validate_response(response, checks=checks)
            sent += 1
    assert sent >= 2 * len(operations)


def test_stateful_links(api_schema: Any, cast: dict[str, Any], org_a: Any) -> None:
    """Scenarios that follow the OpenAPI links: create, then read, change or act on what was made.

    The objects made stay for the scenario's later steps (the test's transaction is rolled back
    at the end); each call runs in a savepoint, so a failed one leaves nothing half-written.
    """
    token = make_api_token(cast["admin"], org_a)
    operations = [result.ok() for result in api_schema.get_all_operations()]
    seed_objects(operations, org_a)
    base = api_schema.as_state_machine()

    class Scenarios(base):  # type: ignore[misc,valid-type]
        # Each scenario in a savepoint rolled back at its end: scenarios start from the same
        # seeded state, so hypothesis replays them the same way.
        def setup(self) -> None:
            self._scenario = transaction.atomic()
            self._scenario.__enter__()

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": _auth(token)}

        def call(self, case: Any, **kwargs: Any) -> Any:
            with transaction.atomic():
                return case.call(**kwargs)

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Scenarios.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
