"""The schema tells the truth: versions, money and dates are refused as the document says.

The shared types of ifm.core.api_types validate the requests and write the OpenAPI document,
so what the document promises is what the API accepts; out-of-range versions are a 422, never
a database error.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft202012Validator

from ifm.core.api_types import (
    DATE_PATTERN,
    MAX_VERSION,
    MONEY_PATTERN,
    POSITIVE_MONEY_PATTERN,
)
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.models import Fund, Program


@pytest.fixture
def admin(cast: dict[str, Any], org_a: Any) -> Client:
    return api_client_for(cast["admin"], org_a)


def _program(admin: Client) -> dict[str, Any]:
    response = send_json(admin, "POST", "/api/v1/programs", {"code": "YTH", "name": "Youth"})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize("version", [2**31 - 1, 2**31, 2**63, 10**30])
def test_patch_with_a_version_past_the_column_is_422(admin: Client, version: int) -> None:
    # The fuzzer's reproduction: this was a 500 (integer out of range on PostgreSQL).
    program = _program(admin)
    body = {"code": "0", "is_active": None, "name": "0", "version": version}
    response = send_json(admin, "PATCH", f"/api/v1/programs/{program['id']}", body)
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["version"]
    after = admin.get(f"/api/v1/programs/{program['id']}").json()
    assert (after["code"], after["version"]) == ("YTH", 1)


def test_highest_accepted_version_is_a_conflict_not_an_error(admin: Client) -> None:
    program = _program(admin)
    body = {"name": "Renamed", "version": MAX_VERSION}
    response = send_json(admin, "PATCH", f"/api/v1/programs/{program['id']}", body)
    assert_problem(response, 409)


def test_service_refuses_a_version_out_of_range(org_a: Any, cast: dict[str, Any]) -> None:
    # Pages call the same save: the guard is in the model, not only in the API schema.
    with org_context(org_a):
        program = Program.objects.create(code="P", name="P")
        for version in (0, MAX_VERSION + 1, 2**40):
            with pytest.raises(ServiceError) as raised:
                program.save_versioned(expected_version=version, user=cast["admin"], fields=[])
            assert raised.value.status == 422
            assert raised.value.errors[0]["field"] == "version"


def _body_schema(doc: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    body = doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    return doc["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]


def test_every_version_in_the_document_is_bounded(db: Any) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    inputs = [
        s for s in doc["components"]["schemas"].values() if s.get("additionalProperties") is False
    ]
    versioned = [s for s in inputs if "version" in s.get("properties", {})]
    assert len(versioned) >= 7
    for schema in versioned:
        version = schema["properties"]["version"]
        # An optional version (a budget may not exist yet) is the same bounded integer or null.
        options = [o for o in version.get("anyOf", [version]) if o.get("type") != "null"]
        assert options, schema["title"]
        for option in options:
            assert (option["minimum"], option["maximum"]) == (1, MAX_VERSION), schema["title"]


def test_money_and_dates_are_described_as_checked(db: Any) -> None:
    doc = Client().get("/api/v1/openapi.json").json()
    donation = _body_schema(doc, "/api/v1/donations", "post")
    assert donation["properties"]["amount"]["pattern"] == POSITIVE_MONEY_PATTERN
    assert donation["properties"]["goods_services_value"]["pattern"] == MONEY_PATTERN
    assert donation["properties"]["date"]["format"] == "date"
    assert donation["properties"]["date"]["pattern"] == DATE_PATTERN
    expense = _body_schema(doc, "/api/v1/expenses", "post")
    assert expense["properties"]["date"]["pattern"] == DATE_PATTERN
    line = doc["components"]["schemas"]["JournalLineIn"]
    assert line["additionalProperties"] is False
    # Exactly one of debit and credit above zero, as the service checks it.
    validator = Draft202012Validator(line)
    base = {"account_id": 1, "fund_id": 1}
    for sides, valid in [
        ({"debit": "5"}, True),
        ({"credit": "5.00"}, True),
        ({"debit": "5", "credit": "0"}, True),
        ({"debit": "0.00", "credit": "0.01"}, True),
        ({"debit": "5", "credit": "5"}, False),
        ({"debit": "0", "credit": "0"}, False),
        ({"debit": "0"}, False),
        ({}, False),
    ]:
        assert validator.is_valid(base | sides) is valid, sides


@pytest.mark.parametrize(
    ("text", "positive", "money"),
    [
        ("1", True, True),
        ("0.01", True, True),
        ("0.5", True, True),
        ("125.50", True, True),
        ("999999999999.99", True, True),
        ("0", False, True),
        ("0.00", False, True),
        ("1000000000000", False, False),
        ("12.345", False, False),
        ("-5", False, False),
        ("007", False, False),
        ("1e3", False, False),
        (" 5", False, False),
    ],
)
def test_money_patterns(text: str, positive: bool, money: bool) -> None:
    assert bool(re.search(POSITIVE_MONEY_PATTERN, text)) is positive
    assert bool(re.search(MONEY_PATTERN, text)) is money


@pytest.mark.parametrize(
    ("text", "inside"),
    [
        ("1901-01-01", True),
        ("2199-12-31", True),
        ("2024-02-29", True),
        ("1900-12-31", False),
        ("1899-12-31", False),
        ("2200-01-01", False),
        ("2024-13-01", False),
    ],
)
def test_date_pattern_is_the_checked_range(text: str, inside: bool) -> None:
    assert bool(re.search(DATE_PATTERN, text)) is inside


def _gift(fund_id: int, donor_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "donor_id": donor_id,
        "amount": "150.00",
        "date": date.today().isoformat(),
        "method": "check",
        "fund_id": fund_id,
    } | extra


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "0"),
        ("amount", "12.345"),
        ("amount", "-5.00"),
        ("amount", "1000000000000.00"),
        ("date", "1899-12-31"),
        ("date", "2200-01-01"),
        ("goods_services_value", "-1"),
    ],
)
def test_gift_outside_the_schema_is_422_naming_the_field(
    admin: Client, org_a: Any, field: str, value: str
) -> None:
    with org_context(org_a):
        fund_id = Fund.objects.get(is_general=True).pk
    donor = send_json(admin, "POST", "/api/v1/donors", {"last_name": "Lee"}).json()
    body = _gift(fund_id, donor["id"], **{field: value})
    problem = assert_problem(send_json(admin, "POST", "/api/v1/donations", body), 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    good = send_json(admin, "POST", "/api/v1/donations", _gift(fund_id, donor["id"]))
    assert good.status_code == 201, good.content


@pytest.mark.parametrize("value", [0, 86400, "86400", "20240101", "2024-01-01T00:00:00", 1.5])
def test_a_date_is_only_yyyy_mm_dd_text(admin: Client, org_a: Any, value: Any) -> None:
    # The fuzzer's reproduction: {"date": 0} reversed an entry on 1970-01-01 (pydantic reads
    # numbers, and digits in a string, as seconds since 1970).
    with org_context(org_a):
        fund_id = Fund.objects.get(is_general=True).pk
    donor = send_json(admin, "POST", "/api/v1/donors", {"last_name": "Lee"}).json()
    body = _gift(fund_id, donor["id"], date=value)
    problem = assert_problem(send_json(admin, "POST", "/api/v1/donations", body), 422)
    assert [e["field"] for e in problem["errors"]] == ["date"]
    assert admin.get("/api/v1/donations").json()["items"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/fund-balances?as_of=",
        "/api/v1/donations?date_from=",
        "/api/v1/journal-entries?date_to=",
    ],
)
@pytest.mark.parametrize("value", ["0", "86400", "2024-01-01T00:00:00"])
def test_a_date_in_the_query_is_only_yyyy_mm_dd(admin: Client, path: str, value: str) -> None:
    problem = assert_problem(admin.get(path + value), 422)
    assert [e["field"] for e in problem["errors"]] == [path.rsplit("?", 1)[1][:-1]]
    assert admin.get(path + "2024-01-31").status_code == 200
