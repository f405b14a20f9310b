"""A version beyond the 32-bit column never reaches the database as an overflow: every door
(API, page, service) answers 422 on `version` and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from ifm.conftest import client_for
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.chart.services import program_update
from ifm.ledger.models import Program
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db

TOO_BIG = [2**31 - 1, 2**31, 2**63 + 5]


@pytest.fixture
def program(books: Any) -> Program:
    return Program.objects.create(code="YTH", name="Youth")


def _unchanged(program: Program) -> None:
    fresh = Program.objects.get(pk=program.pk)
    assert (fresh.code, fresh.name, fresh.version) == ("YTH", "Youth", 1)


@pytest.mark.parametrize("version", TOO_BIG)
def test_service_refuses_a_version_beyond_the_column(
    books: Any, program: Program, cast: dict[str, Any], version: int
) -> None:
    admin = cast["admin"]
    with pytest.raises(ServiceError) as refused:
        program_update(
            organization=books,
            actor=admin,
            access=Membership.objects.get(user=admin),
            program=program,
            expected_version=version,
            name="0",
        )
    assert not isinstance(refused.value, ConflictError)
    assert refused.value.status == 422
    assert refused.value.errors[0]["field"] == "version"
    _unchanged(program)


def test_api_patch_with_the_largest_int32_version_is_422(
    books: Any, program: Program, cast: dict[str, Any]
) -> None:
    api = api_client_for(cast["admin"], books)
    body = {"code": "0", "is_active": None, "name": "0", "version": 2147483647}
    problem = assert_problem(send_json(api, "PATCH", f"/api/v1/programs/{program.pk}", body), 422)
    assert [e["field"] for e in problem["errors"]] == ["version"]
    _unchanged(program)


def test_page_edit_with_a_huge_version_is_422(
    books: Any, program: Program, cast: dict[str, Any]
) -> None:
    page = client_for(cast["admin"])
    response = page.post(
        f"/o/alpha/ledger/programs/{program.pk}/edit/",
        {"code": "0", "name": "0", "is_active": "on", "version": str(2**40)},
    )
    assert response.status_code == 422
    _unchanged(program)


def test_a_current_version_still_saves(books: Any, program: Program, cast: dict[str, Any]) -> None:
    api = api_client_for(cast["admin"], books)
    body = {"name": "Youth work", "version": 1}
    response = send_json(api, "PATCH", f"/api/v1/programs/{program.pk}", body)
    assert response.status_code == 200, response.content
    assert Program.objects.get(pk=program.pk).version == 2
