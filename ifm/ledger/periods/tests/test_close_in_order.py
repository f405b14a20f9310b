"""Months close in order: closing a month while an earlier one is open is refused with a clear
message (service, page, API); "close the books through" closes every open month up to it at
once, after a confirmation that names the months and their entry counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.conftest import client_for
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import all_organizations
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.ledger.journal.tests.test_pages import post
from ifm.ledger.models import Period, PeriodStatus
from ifm.ledger.periods.selectors import period_close_plan
from ifm.ledger.periods.services import (
    books_close_through,
    fiscal_year_ensure,
    period_close,
    period_reopen,
)
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

YEAR = date.today().year - 1  # a whole past calendar year: twelve months on record


def _access(user: Any) -> Membership:
    return Membership.objects.get(user=user)


@pytest.fixture
def months(books: Organization) -> list[Period]:
    fiscal_year_ensure(organization=books, on=date(YEAR, 1, 1))
    return list(Period.objects.filter(start_date__year=YEAR).order_by("start_date"))


def _status(*periods: Period) -> list[str]:
    return [Period.objects.get(pk=p.pk).status for p in periods]


def test_a_month_does_not_close_before_the_earlier_months(
    books: Organization, cast: Any, months: list[Period]
) -> None:
    finance = cast["finance"]
    jan, feb, mar = months[:3]
    with pytest.raises(ServiceError, match=r"earlier months are still open \(.*-01, .*-02\)"):
        period_close(organization=books, actor=finance, access=_access(finance), period=mar)
    assert _status(jan, feb, mar) == ["open"] * 3
    period_close(organization=books, actor=finance, access=_access(finance), period=jan)
    with pytest.raises(ServiceError, match="Close the books through"):
        period_close(organization=books, actor=finance, access=_access(finance), period=mar)
    period_close(organization=books, actor=finance, access=_access(finance), period=feb)
    period_close(organization=books, actor=finance, access=_access(finance), period=mar)
    assert _status(jan, feb, mar) == ["closed"] * 3
    # Reopening keeps its rules: a reason, any closed month of an open year.
    period_reopen(
        organization=books, actor=finance, access=_access(finance), period=feb, reason="Late bill"
    )
    assert _status(jan, feb, mar) == ["closed", "open", "closed"]


def test_close_through_closes_every_open_month_up_to_it_at_once(
    books: Organization, cast: Any, months: list[Period]
) -> None:
    finance = cast["finance"]
    post(books, "10.00", on=date(YEAR, 1, 15))
    post(books, "20.00", on=date(YEAR, 3, 2))
    post(books, "30.00", on=date(YEAR, 3, 3))
    mar = months[2]
    plan = period_close_plan(period=mar)
    assert [(p.name, n) for p, n in plan.periods] == [
        (f"{YEAR}-01", 1),
        (f"{YEAR}-02", 0),
        (f"{YEAR}-03", 2),
    ]
    assert plan.entry_count == 3
    assert plan.earlier_open
    # The plan changed since it was confirmed (January closed meanwhile): nothing is closed.
    period_close(organization=books, actor=finance, access=_access(finance), period=months[0])
    with pytest.raises(ConflictError, match="have changed"):
        books_close_through(
            organization=books,
            actor=finance,
            access=_access(finance),
            period=mar,
            expected=plan.period_ids,
        )
    assert _status(*months[1:3]) == ["open", "open"]
    closed = books_close_through(
        organization=books,
        actor=finance,
        access=_access(finance),
        period=mar,
        expected=period_close_plan(period=mar).period_ids,
    )
    assert [p.name for p in closed] == [f"{YEAR}-02", f"{YEAR}-03"]
    assert _status(*months[:4]) == ["closed", "closed", "closed", "open"]
    with pytest.raises(ConflictError, match="already closed through"):
        books_close_through(organization=books, actor=finance, access=_access(finance), period=mar)
    with pytest.raises(PermissionDenied):
        books_close_through(
            organization=books, actor=cast["staff"], access=_access(cast["staff"]), period=mar
        )


def test_close_through_is_one_transaction(
    books: Organization, cast: Any, months: list[Period]
) -> None:
    """A refusal part-way leaves every month as it was (the service is atomic)."""
    finance = cast["finance"]
    with pytest.raises(ConflictError):
        books_close_through(
            organization=books,
            actor=finance,
            access=_access(finance),
            period=months[5],
            expected=[months[0].pk],
        )
    assert set(_status(*months)) == {PeriodStatus.OPEN}


def test_the_page_confirms_what_it_locks(
    books: Organization, cast: Any, months: list[Period]
) -> None:
    client = client_for(cast["finance"])
    post(books, "10.00", on=date(YEAR, 2, 10))
    feb = months[1]
    base = f"/o/{books.slug}/ledger/periods"
    periods_page = client.get(f"{base}/").content.decode()
    assert f"{base}/{feb.pk}/close/confirm/" in periods_page
    confirm = client.get(f"{base}/{feb.pk}/close/confirm/").content.decode()
    assert "locks <strong>2 months</strong>" in confirm
    assert "<strong>1 entry</strong>" in confirm
    assert f"{YEAR}-01" in confirm
    assert f"Close 2 months through {YEAR}-02" in confirm
    # Closing February alone is refused with the reason and the way out.
    refused = client.post(f"{base}/{feb.pk}/close/", follow=True).content.decode()
    assert "earlier month is still open" in refused
    assert "Close the books through" in refused
    assert _status(feb) == ["open"]
    # Confirming a stale plan goes back to the confirmation, nothing closed.
    stale = client.post(f"{base}/{feb.pk}/close-through/", {"period": [str(feb.pk)]})
    assert stale.status_code == 302
    assert stale["Location"].endswith(f"/{feb.pk}/close/confirm/")
    assert _status(months[0], feb) == ["open", "open"]
    done = client.post(
        f"{base}/{feb.pk}/close-through/",
        {"period": [str(months[0].pk), str(feb.pk)]},
        follow=True,
    ).content.decode()
    assert f"Books closed through {YEAR}-02: {YEAR}-01 to {YEAR}-02 (2 months)" in done
    assert _status(months[0], feb, months[2]) == ["closed", "closed", "open"]
    assert client.get(f"{base}/{feb.pk}/close-through/").status_code == 405
    viewer = client_for(cast["viewer"])
    assert viewer.get(f"{base}/{feb.pk}/close/confirm/").status_code == 403
    assert viewer.post(f"{base}/{months[2].pk}/close-through/").status_code == 403


def test_the_api_refuses_out_of_order_and_closes_through(
    books: Organization, cast: Any, months: list[Period], org_b: Organization
) -> None:
    client = api_client_for(cast["finance"], books)
    mar = months[2]
    problem = assert_problem(send_json(client, "POST", f"/api/v1/periods/{mar.pk}/close", {}), 422)
    assert "earlier months are still open" in problem["detail"]
    plan = client.get(f"/api/v1/periods/{mar.pk}/close-plan").json()
    assert [p["name"] for p in plan["periods"]] == [f"{YEAR}-01", f"{YEAR}-02", f"{YEAR}-03"]
    assert plan["entry_count"] == 0
    ids = [p["id"] for p in plan["periods"]]
    stale = send_json(
        client, "POST", f"/api/v1/periods/{mar.pk}/close-through", {"expected_period_ids": ids[1:]}
    )
    assert_problem(stale, 409)
    done = send_json(
        client, "POST", f"/api/v1/periods/{mar.pk}/close-through", {"expected_period_ids": ids}
    )
    assert done.status_code == 200, done.content
    assert [p["status"] for p in done.json()["closed"]] == ["closed"] * 3
    assert_problem(send_json(client, "POST", f"/api/v1/periods/{mar.pk}/close-through", {}), 409)
    viewer = api_client_for(cast["viewer"], books)
    assert (
        send_json(viewer, "POST", f"/api/v1/periods/{months[3].pk}/close-through", {}).status_code
        == 403
    )
    with all_organizations():
        other = Period.all_orgs.filter(organization=org_b).first()
    assert other is not None
    assert client.get(f"/api/v1/periods/{other.pk}/close-plan").status_code == 404
    assert (
        send_json(client, "POST", f"/api/v1/periods/{other.pk}/close-through", {}).status_code
        == 404
    )
