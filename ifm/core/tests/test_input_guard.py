"""Input no view should see is refused once, before any database query: a NUL character in any
text (400 naming the field), bodies too large (413), unreadable multipart (400), bodies that
are not JSON on the API (415). Pages get the 400 page, the API a problem document."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ifm.conftest import client_for
from ifm.core.org_context import org_context
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(cast: dict[str, Any], org_a: Any) -> Client:
    return api_client_for(cast["admin"], org_a)


@pytest.fixture
def pages(cast: dict[str, Any]) -> Client:
    return client_for(cast["admin"])


# --- NUL ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint", ["donors", "donations", "members", "accounts", "households", "expenses"]
)
def test_nul_in_a_query_parameter_is_a_400_naming_it(api: Client, endpoint: str) -> None:
    problem = assert_problem(api.get(f"/api/v1/{endpoint}?q=%00"), 400)
    assert problem["errors"][0]["field"] == "q"
    assert "`q`" in problem["detail"]
    assert "NUL" in problem["detail"]


def test_nul_in_a_json_field_is_a_400_naming_it(api: Client, org_a: Any) -> None:
    response = send_json(api, "POST", "/api/v1/donors", {"first_name": "a\u0000b"})
    problem = assert_problem(response, 400)
    assert problem["errors"] == [{"field": "first_name", "message": problem["detail"]}]

    nested = {"lines": [{"memo": "ok"}, {"memo": "x\u0000"}]}
    problem = assert_problem(send_json(api, "POST", "/api/v1/journal-entries", nested), 400)
    assert problem["errors"][0]["field"] == "lines.1.memo"


def test_the_text_backslash_u0000_is_not_a_nul(api: Client, org_a: Any) -> None:
    """Only a real NUL is refused: a name spelling out the escape is ordinary text."""
    body = {"first_name": "a\\u0000b", "last_name": "Escaped"}
    response = send_json(api, "POST", "/api/v1/donors", body)
    assert response.status_code == 201, response.content
    assert response.json()["first_name"] == "a\\u0000b"


def test_nul_in_a_header_is_a_400(cast: dict[str, Any], org_a: Any) -> None:
    client = Client(headers={"Authorization": "Bearer ifm_\x00abc"})
    problem = assert_problem(client.get("/api/v1/donors"), 400)
    assert problem["errors"][0]["field"] == "Authorization"


@pytest.mark.parametrize(
    "page",
    [
        "ledger/funds/",
        "ledger/programs/",
        "ledger/pick/accounts/",
        "ledger/pick/funds/",
        "donors/pick/",
    ],
)
def test_nul_in_a_page_query_is_the_400_page(pages: Client, page: str) -> None:
    response = pages.get(f"/o/alpha/{page}?q=%00")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "<code>q</code>" in text
    assert "NUL character" in text
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_nul_in_a_page_form_field_is_refused_and_nothing_saved(pages: Client, org_a: Any) -> None:
    response = pages.post("/o/alpha/ledger/programs/new/", {"code": "YTH\x00", "name": "Youth"})
    assert response.status_code == 400
    assert "<code>code</code>" in response.content.decode()
    with org_context(org_a):
        assert not Program.objects.filter(name="Youth").exists()


# --- Bodies the server will not read -----------------------------------------------------------


def test_a_30_mb_json_body_is_413(api: Client) -> None:
    body = b'{"first_name": "' + b"a" * 30_000_000 + b'"}'
    response = api.generic("POST", "/api/v1/donors", body, content_type="application/json")
    problem = assert_problem(response, 413)
    assert "too large" in problem["detail"]


FILE_ROUTES = [
    "/api/v1/accounts/import",
    "/api/v1/expenses/1/receipts",
    "/api/v1/imports",
    "/api/v1/opening-balances/import",
]


@pytest.mark.parametrize("path", FILE_ROUTES)
def test_multipart_without_a_boundary_is_400(api: Client, path: str) -> None:
    response = api.generic("POST", path, b"file=x", content_type="multipart/form-data")
    problem = assert_problem(response, 400)
    assert "boundary" in problem["detail"]


def _multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "b0undary"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="kind"\r\n\r\ndonors\r\n'
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("path", FILE_ROUTES)
def test_a_file_name_of_1000_characters_is_400(api: Client, path: str) -> None:
    body, content_type = _multipart("a" * 996 + ".csv", b"first_name,last_name\nA,B\n")
    problem = assert_problem(api.generic("POST", path, body, content_type=content_type), 400)
    assert problem["errors"][0]["field"] == "body"
    assert "file name" in problem["detail"]


def test_nul_in_the_name_of_a_file_field_is_a_400_naming_it(api: Client) -> None:
    body, content_type = _multipart("list.csv", b"first_name,last_name\nA,B\n")
    body = body.replace(b'name="file"', b'name="fi\x00le"')
    response = api.generic("POST", "/api/v1/imports", body, content_type=content_type)
    problem = assert_problem(response, 400)
    assert problem["errors"] == [{"field": "fi\\u0000le", "message": problem["detail"]}]
    assert problem["detail"].startswith("The file field `fi\\u0000le` contains a NUL character")


def test_nul_in_the_address_is_a_400(api: Client, pages: Client) -> None:
    detail = "The address contains a NUL character (\\u0000): remove it."
    problem = assert_problem(api.get("/api/v1/donors%00"), 400)
    assert problem["detail"] == detail
    assert problem.get("errors", []) == []
    response = pages.get("/%00")
    assert response.status_code == 400
    assert detail.encode() in response.content


# --- Content types and malformed JSON ----------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", ""])
def test_a_body_that_is_not_json_or_a_form_is_415(api: Client, content_type: str) -> None:
    body = json.dumps({"first_name": "Ada", "last_name": "Lovelace"})
    response = api.generic("POST", "/api/v1/donors", body, content_type=content_type)
    problem = assert_problem(response, 415)
    assert "application/json" in problem["detail"]


def test_json_variants_and_malformed_json(api: Client, org_a: Any) -> None:
    body = json.dumps({"first_name": "Ada", "last_name": "Lovelace"})
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = api.generic("POST", "/api/v1/donors", body, content_type=content_type)
        assert response.status_code == 201, (content_type, response.content)
    problem = assert_problem(send_json(api, "POST", "/api/v1/donors", '{"first_name": '), 400)
    assert problem["detail"] == "The request body is not valid JSON."
