"""The lists' serialization path writes what ninja's own path writes, byte for byte.

Every paginated GET of the OpenAPI document is read twice on the demo data, once through the
shared path of ifm.core.api_payload and once through ninja's validation of the same schemas,
and the answers must be the same: status, content type and body.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from ninja import Schema
from pydantic import ValidationError, field_validator

from ifm.core.api_payload import compile_schema, dump_rows, ninja_path
from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import make_api_token, token_client
from ifm.donors.people.api import HouseholdMemberOut
from ifm.tenancy.models import Organization

DEMO_ORG = "hope-kitchen"
DEMO_ADMIN = "admin@hope-kitchen.demo"


def _list_paths(doc: dict[str, Any]) -> list[str]:
    """GET operations answering `{items, next}`."""
    out = []
    for path, item in doc["paths"].items():
        get = item.get("get")
        if get is None:
            continue
        content = get["responses"].get("200", {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref", "")
        schema = doc["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
        if set(schema.get("properties", {})) == {"items", "next"}:
            out.append(path)
    return out


def _concrete(client: Client, path: str) -> str | None:
    """The path with its one id filled from the first row of the list above it."""
    params = re.findall(r"{\w+}", path)
    if not params:
        return path
    if len(params) > 1:
        return None
    parent = path.split("/" + params[0])[0]
    rows = client.get(parent + "?limit=1")
    if rows.status_code != 200 or not rows.json().get("items"):
        return None
    return path.replace(params[0], str(rows.json()["items"][0]["id"]))


def _without_request_id(response: Any) -> dict[str, Any]:
    body = dict(response.json())
    body.pop("request_id", None)
    return body


@pytest.mark.django_db(transaction=True)
def test_every_list_answers_what_ninja_answers(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("seed_demo", "--donors", "30", stdout=io.StringIO(), stderr=io.StringIO())
    with all_organizations():
        org = Organization.objects.get(slug=DEMO_ORG)
        user = get_user_model().objects.get(email=DEMO_ADMIN)
    client = token_client(make_api_token(user, org))
    doc = client.get("/api/v1/openapi.json").json()
    paths = _list_paths(doc)
    assert len(paths) >= 30, paths  # every app's lists are found
    compared = with_rows = 0
    for path in paths:
        url = _concrete(client, "/api/v1" + path.removeprefix("/api/v1"))
        if url is None:
            continue
        url += "?limit=200"
        fast = client.get(url)
        with ninja_path():
            reference = client.get(url)
        assert fast.status_code == reference.status_code, url
        assert fast["Content-Type"] == reference["Content-Type"], url
        if reference.status_code == 200:
            assert fast.content == reference.content, url
        else:
            # A list refusing its bare call (a report's donors need the figure's parameters)
            # answers the same problem, each with the id of its own request.
            assert _without_request_id(fast) == _without_request_id(reference), url
        compared += 1
        with_rows += fast.status_code == 200 and bool(fast.json()["items"])
    assert compared >= 25, compared
    assert with_rows >= 15, with_rows  # the demo data fills most lists


class _Checked(Schema):
    name: str

    @field_validator("name")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class _Parent(Schema):
    name: str
    children: list[_Checked]


class _Simple(Schema):
    name: str
    children: list[_Parent] | None


def test_a_schema_with_its_own_validator_stays_with_ninja() -> None:
    assert compile_schema(_Checked) is None
    assert compile_schema(_Parent) is None  # its nested schema cannot be compiled
    assert compile_schema(_Simple) is None


def test_a_plain_schema_is_compiled_with_its_nested_ones() -> None:
    class Row:
        name = "row"
        children = None

    compiled = compile_schema(HouseholdMemberOut)
    assert compiled is not None
    with pytest.raises(ValidationError):  # the same types are checked
        dump_rows(compiled, [Row()], {})
