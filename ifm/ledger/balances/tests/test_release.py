"""Releasing restricted net assets by hand: the service (at most what the fund still holds with
donor restrictions), the page beside each restricted fund, and POST /api/v1/funds/{id}/release."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.conftest import client_for
from ifm.core.errors import ServiceError
from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.balances.selectors import restricted_balance
from ifm.ledger.balances.services import fund_release
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Fund, JournalEntry
from ifm.tenancy.models import Membership

pytestmark = pytest.mark.django_db

D = Decimal
DAY = date.today()


def _gift_to(fund: Fund, amount: str, actor: Any, org: Any) -> None:
    """A restricted contribution: cash in, contribution revenue with donor restrictions."""
    post_entry(
        organization=org,
        actor=actor,
        date=DAY,
        lines=[
            LineInput(acct("1010"), fund, debit=D(amount)),
            LineInput(acct("4015"), fund, credit=D(amount)),
        ],
    )


def test_release_moves_money_out_of_the_restricted_class_up_to_what_is_left(
    books: Any, cast: Any, restricted: Fund
) -> None:
    finance = cast["finance"]
    access = Membership.objects.get(user=finance)
    _gift_to(restricted, "100.00", finance, books)
    assert restricted_balance(fund_id=restricted.pk, as_of=DAY) == D("100.00")

    entry = fund_release(
        organization=books, actor=finance, access=access, fund=restricted, amount=D("60"), date=DAY
    )
    assert entry.source_type == "release"
    assert restricted_balance(fund_id=restricted.pk, as_of=DAY) == D("40.00")
    with pytest.raises(ServiceError, match=r"holds 40\.00 with donor restrictions"):
        fund_release(
            organization=books,
            actor=finance,
            access=access,
            fund=restricted,
            amount=D("40.01"),
            date=DAY,
        )
    assert JournalEntry.objects.filter(source_type="release").count() == 1
    viewer = Membership.objects.get(user=cast["viewer"])
    with pytest.raises(PermissionDenied):
        fund_release(
            organization=books, actor=cast["viewer"], access=viewer, fund=restricted,
            amount=D("1"), date=DAY,
        )  # fmt: skip


def test_release_page_beside_restricted_funds(books: Any, cast: Any, restricted: Fund) -> None:
    _gift_to(restricted, "80.00", cast["finance"], books)
    client = client_for(cast["finance"])
    funds = client.get(f"/o/{books.slug}/ledger/funds/").content.decode()
    release_url = f"/o/{books.slug}/ledger/funds/{restricted.pk}/release/"
    assert release_url in funds
    general = Fund.objects.get(is_general=True)
    assert f"/funds/{general.pk}/release/" not in funds
    refused = client.get(f"/o/{books.slug}/ledger/funds/{general.pk}/release/", follow=True)
    assert "has no donor restriction to release" in refused.content.decode()

    page = client.get(release_url)
    assert "holds 80.00 with donor restrictions" in page.content.decode()
    too_much = client.post(release_url, {"amount": "80.01", "date": DAY.isoformat(), "memo": ""})
    assert too_much.status_code == 422
    assert "release at most that much" in too_much.content.decode()
    done = client.post(
        release_url, {"amount": "30.00", "date": DAY.isoformat(), "memo": "Youth camp spent"}
    )
    assert done.status_code == 302
    entry = JournalEntry.objects.get(source_type="release")
    assert entry.memo == "Youth camp spent"
    assert restricted_balance(fund_id=restricted.pk, as_of=DAY) == D("50.00")
    assert client_for(cast["viewer"]).get(release_url).status_code == 403


def test_release_api(books: Any, cast: Any, restricted: Fund, org_b: Any) -> None:
    _gift_to(restricted, "50.00", cast["finance"], books)
    client = api_client_for(cast["finance"], books)
    path = f"/api/v1/funds/{restricted.pk}/release"
    body = {"amount": "20.00", "date": DAY.isoformat(), "memo": "Spent"}
    first = send_json(client, "POST", path, body, headers={"Idempotency-Key": "rel-1"})
    assert first.status_code == 201, first.content
    again = send_json(client, "POST", path, body, headers={"Idempotency-Key": "rel-1"})
    assert again.json()["id"] == first.json()["id"]
    assert JournalEntry.objects.filter(source_type="release").count() == 1
    problem = assert_problem(send_json(client, "POST", path, body | {"amount": "31.00"}), 422)
    assert problem["errors"][0]["field"] == "amount"
    general = Fund.objects.get(is_general=True)
    assert_problem(send_json(client, "POST", f"/api/v1/funds/{general.pk}/release", body), 422)
    with all_organizations():
        other = Fund.all_orgs.get(organization=org_b, is_general=True)
    assert send_json(client, "POST", f"/api/v1/funds/{other.pk}/release", body).status_code == 404
    viewer = api_client_for(cast["viewer"], books)
    assert send_json(viewer, "POST", path, body).status_code == 403
    assert JournalEntry.objects.filter(source_type="release").count() == 1
