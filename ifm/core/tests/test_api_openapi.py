"""The published contract: OpenAPI with documented problems, docs page within our CSP."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from openapi_spec_validator import OpenAPIV31SpecValidator

from ifm.core.tests.api_helpers import (
    api_client_for,
    assert_problem,
)


def _resolve(document: dict[str, Any], ref: str) -> Any:
    """The node a local `$ref` ("#/a/b") points at; KeyError when it points nowhere."""
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in _refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in _refs(value)]
    return []


def test_every_reference_resolves(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    refs = set(_refs(schema))
    assert "#/components/schemas/FieldErrorOut" in refs
    unresolved = []
    for ref in sorted(refs):
        try:
            _resolve(schema, ref)
        except KeyError:
            unresolved.append(ref)
    assert unresolved == []


def test_document_is_valid_openapi_3_1(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    errors = [str(e)[:300] for e in OpenAPIV31SpecValidator(schema).iter_errors()]
    assert errors == []


def test_every_operation_documents_its_problems(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    problem = schema["components"]["schemas"]["Problem"]
    assert problem["required"] == ["type", "title", "status", "detail", "instance"]
    field_error = _resolve(schema, problem["properties"]["errors"]["items"]["$ref"])
    assert field_error["required"] == ["field", "message"]
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert operations
    for op in operations:
        for status in ("400", "401", "403", "404", "409", "422", "429"):
            # Described once under components/responses and referenced, never copied.
            ref = op["responses"][status]["$ref"]
            assert ref.startswith("#/components/responses/"), op["operationId"]
            content = _resolve(schema, ref)["content"]
            assert list(content) == ["application/problem+json"], op["operationId"]
            assert content["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }
        assert op["security"] == [{"BearerTokenAuth": []}, {"OrganizationSessionAuth": []}]


def test_list_operations_share_one_pagination(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    listing = schema["paths"]["/api/v1/members"]["get"]
    names = [p["name"] for p in listing["parameters"]]
    assert {"limit", "cursor"} <= set(names)
    ref = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(page["properties"]) == {"items", "next"}


def test_creating_posts_document_the_idempotency_key(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    post = schema["paths"]["/api/v1/members/invitations"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in post["parameters"] if p["in"] == "header"]


def test_docs_page_uses_local_assets_and_no_inline_script(db: Any) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert Client().get("/static/ninja/swagger-ui-init.js").status_code == 200


def test_wrong_method_is_405_problem(cast: dict[str, Any], org_a: Any) -> None:
    client = api_client_for(cast["admin"], org_a)
    response = client.delete("/api/v1/me")
    problem = assert_problem(response, 405)
    assert response["Allow"] == "GET"
    assert "GET" in problem["detail"]


def test_schemas_of_the_same_name_are_not_merged(db: Any) -> None:
    # Components are keyed by class name: two different classes of one name would share one
    # schema, and one of the operations would promise the other's shape.
    schema = Client().get("/api/v1/openapi.json").json()

    def ok_schema(path: str, method: str, status: str) -> dict[str, Any]:
        content = schema["paths"][path][method]["responses"][status]["content"]
        ref = content["application/json"]["schema"]["$ref"]
        return _resolve(schema, ref)

    upload = ok_schema("/api/v1/expenses/{expense_id}/receipts", "post", "201")
    tax_receipt = ok_schema("/api/v1/receipts/{tax_receipt_id}", "get", "200")
    assert "sha256" in upload["properties"]
    assert "number" in tax_receipt["properties"]


def test_creating_operations_link_to_what_they_made(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    links = schema["paths"]["/api/v1/donors"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in links.values()}
    donor_item = schema["paths"]["/api/v1/donors/{donor_id}"]
    assert targets == {op["operationId"] for op in donor_item.values()}
    for link in links.values():
        assert link["parameters"] == {"donor_id": "$response.body#/id"}
    nested = schema["paths"]["/api/v1/expenses/{expense_id}/receipts"]["post"]["responses"]
    for link in nested["201"]["links"].values():
        assert link["parameters"] == {
            "expense_id": "$request.path.expense_id",
            "receipt_id": "$response.body#/id",
        }


def test_operation_ids_are_unique_function_names(db: Any) -> None:
    # Generated clients name their functions after operationId: two operations of one id
    # would leave one of them out, a module path in it would name them all ifm_..._api_...
    schema = Client().get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert "donor_create" in ids
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) and "_api_" not in i for i in ids), ids
