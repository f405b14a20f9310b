"""The accounts API says whether an account takes postings, the same rule posting applies."""

from __future__ import annotations

from datetime import date
from typing import Any

from ifm.core.tests.api_helpers import api_client_for, send_json
from ifm.ledger.conftest import acct
from ifm.ledger.models import Account, Fund


def by_number(client: Any) -> dict[str, bool]:
    out: dict[str, bool] = {}
    url = "/api/v1/accounts?limit=100"
    while url:
        body = client.get(url).json()
        out.update({a["number"]: a["is_postable"] for a in body["items"]})
        url = f"/api/v1/accounts?limit=100&cursor={body['next']}" if body.get("next") else ""
    return out


def test_header_is_not_postable_and_leaf_is(books: Any, cast: dict[str, Any]) -> None:
    viewer = api_client_for(cast["viewer"], books)
    header, leaf = acct("1000"), acct("1010")
    assert Account.objects.filter(parent=header).exists()
    assert not Account.objects.filter(parent=leaf).exists()

    listed = by_number(viewer)
    assert listed["1000"] is False
    assert listed["1010"] is True
    assert viewer.get(f"/api/v1/accounts/{header.pk}").json()["is_postable"] is False
    assert viewer.get(f"/api/v1/accounts/{leaf.pk}").json()["is_postable"] is True
    # Every header in the list is one the chart gives children, and only those.
    parents = set(
        Account.objects.filter(parent__isnull=False).values_list("parent__number", flat=True)
    )
    assert {n for n, postable in listed.items() if not postable} == parents


def test_is_postable_follows_the_posting_rule(books: Any, cast: dict[str, Any]) -> None:
    finance = api_client_for(cast["finance"], books)
    general = Fund.objects.get(is_general=True)
    leaf = acct("1040")
    assert finance.get(f"/api/v1/accounts/{leaf.pk}").json()["is_postable"] is True

    # A sub-account makes it a header: no longer postable, and posting to it is refused.
    child = send_json(
        finance,
        "POST",
        "/api/v1/accounts",
        {"number": "1041", "name": "Sub", "type": "asset", "parent_id": leaf.pk},
    )
    assert child.status_code == 201, child.content
    assert child.json()["is_postable"] is True
    assert finance.get(f"/api/v1/accounts/{leaf.pk}").json()["is_postable"] is False
    refused = send_json(
        finance,
        "POST",
        "/api/v1/journal-entries",
        {
            "date": date.today().isoformat(),
            "lines": [
                {"account_id": leaf.pk, "fund_id": general.pk, "debit": "1.00"},
                {"account_id": acct("4010").pk, "fund_id": general.pk, "credit": "1.00"},
            ],
        },
    )
    assert refused.status_code == 422, refused.content
    assert "header" in refused.json()["errors"][0]["message"]

    # An inactive account takes no postings either.
    version = finance.get(f"/api/v1/accounts/{child.json()['id']}").json()["version"]
    patched = send_json(
        finance,
        "PATCH",
        f"/api/v1/accounts/{child.json()['id']}",
        {"version": version, "is_active": False},
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["is_postable"] is False
