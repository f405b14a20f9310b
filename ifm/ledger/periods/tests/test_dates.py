"""Posting dates are guarded: years close only after they end, nothing is posted into or before
a closed year, a mistyped date cannot open a stray fiscal year, and nothing before 1901."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from ifm.conftest import client_for
from ifm.core.errors import ServiceError
from ifm.core.tests.api_helpers import api_client_for, assert_problem, send_json
from ifm.donors.models import Donation, Donor
from ifm.donors.people.services import donor_create
from ifm.ledger.closing.services import fiscal_year_close
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import EntryInput, LineInput, post_entries, post_entry
from ifm.ledger.models import FiscalYear, JournalEntry, PeriodStatus
from ifm.ledger.periods.fiscal_years import EARLIEST_DATE, posting_calendar
from ifm.ledger.periods.services import fiscal_year_ensure
from ifm.tenancy.models import Membership, Organization

pytestmark = pytest.mark.django_db

# Org A keeps calendar fiscal years (FY<year>) in its default time zone.
THIS_YEAR = timezone.localdate(timezone=ZoneInfo("America/New_York")).year


def years() -> list[str]:
    return list(FiscalYear.objects.values_list("name", flat=True))


def lines(fund: Any, amount: str = "100.00") -> list[LineInput]:
    return [
        LineInput(account=acct("1010"), fund=fund, debit=Decimal(amount)),
        LineInput(account=acct("4010"), fund=fund, credit=Decimal(amount)),
    ]


def entry_body(general: Any, on: date) -> dict[str, Any]:
    return {
        "date": on.isoformat(),
        "memo": "Cash gift",
        "lines": [
            {"account_id": acct("1010").pk, "fund_id": general.pk, "debit": "25.00"},
            {"account_id": acct("4010").pk, "fund_id": general.pk, "credit": "25.00"},
        ],
    }


def date_problem(response: Any) -> str:
    """The 422's message on the field `date`."""
    problem = assert_problem(response, 422)
    messages = [e["message"] for e in problem["errors"] if e["field"] == "date"]
    assert messages, problem
    return messages[0]


@pytest.fixture
def finance(books: Organization, cast: dict[str, Any]) -> Any:
    return api_client_for(cast["finance"], books)


@pytest.fixture
def admin_kw(books: Organization, cast: dict[str, Any]) -> dict[str, Any]:
    user = cast["admin"]
    return {"organization": books, "actor": user, "access": Membership.objects.get(user=user)}


@pytest.fixture
def donor(books: Organization, cast: dict[str, Any]) -> Donor:
    user = cast["fundraising"]
    return donor_create(
        organization=books,
        actor=user,
        access=Membership.objects.get(user=user),
        first_name="Ann",
        last_name="Smith",
    )


def donation(client: Any, donor: Donor, fund: Any, on: date) -> Any:
    body = {
        "donor_id": donor.pk,
        "amount": "50.00",
        "date": on.isoformat(),
        "method": "check",
        "fund_id": fund.pk,
    }
    return send_json(client, "POST", "/api/v1/donations", body)


def close_last_year(books: Organization, admin_kw: dict[str, Any], general: Any) -> FiscalYear:
    post_entry(organization=books, actor=None, date=date(THIS_YEAR - 1, 6, 1), lines=lines(general))
    fy = FiscalYear.objects.get(name=f"FY{THIS_YEAR - 1}")
    fiscal_year_close(**admin_kw, fiscal_year=fy)
    return fy


# --- Closing ---------------------------------------------------------------------------------


def test_a_year_that_has_not_ended_cannot_be_closed(
    books: Organization, cast: dict[str, Any], finance: Any, admin_kw: dict[str, Any]
) -> None:
    fy = FiscalYear.objects.get()  # this year: it ends on December 31
    admin = api_client_for(cast["admin"], books)
    problem = assert_problem(
        send_json(admin, "POST", f"/api/v1/fiscal-years/{fy.pk}/close", {}), 422
    )
    assert f"ends on {fy.end_date}" in problem["detail"]
    page = client_for(cast["finance"]).post(
        reverse(
            "ledger:ledger_fiscal_year_close", kwargs={"org_slug": "alpha", "fiscal_year_id": fy.pk}
        ),
        follow=True,
    )
    assert "can be closed only after its end" in page.content.decode()
    fy.refresh_from_db()
    assert fy.status == PeriodStatus.OPEN
    assert not fy.periods.filter(status=PeriodStatus.CLOSED).exists()


def test_years_close_in_order(books: Organization, admin_kw: dict[str, Any]) -> None:
    older = fiscal_year_ensure(organization=books, on=date(THIS_YEAR - 2, 1, 1))
    last = fiscal_year_ensure(organization=books, on=date(THIS_YEAR - 1, 1, 1))
    with pytest.raises(ServiceError, match=f"{older.name} is still open"):
        fiscal_year_close(**admin_kw, fiscal_year=last)
    fiscal_year_close(**admin_kw, fiscal_year=older)
    fiscal_year_close(**admin_kw, fiscal_year=last)
    assert set(FiscalYear.objects.filter(status="closed").values_list("name", flat=True)) == {
        older.name,
        last.name,
    }


# --- Into or before a closed year --------------------------------------------------------------


def test_a_donation_dated_in_or_before_a_closed_year_is_refused(
    books: Organization,
    cast: dict[str, Any],
    admin_kw: dict[str, Any],
    general: Any,
    donor: Donor,
) -> None:
    closed = close_last_year(books, admin_kw, general)
    fundraising = api_client_for(cast["fundraising"], books)
    before = date_problem(donation(fundraising, donor, general, date(THIS_YEAR - 2, 11, 3)))
    assert f"before the closed fiscal year {closed.name}" in before
    assert f"Open fiscal years: FY{THIS_YEAR}." in before
    inside = date_problem(donation(fundraising, donor, general, date(THIS_YEAR - 1, 11, 3)))
    assert f"in the closed fiscal year {closed.name}" in inside
    assert years() == [closed.name, f"FY{THIS_YEAR}"]  # no year opened before the closed one
    assert not Donation.objects.exists()
    assert donation(fundraising, donor, general, date(THIS_YEAR, 1, 2)).status_code == 201


def test_an_open_period_before_a_closed_year_takes_no_entries(
    books: Organization, general: Any
) -> None:
    """Books closed out of order before the rule existed: the earlier year still has open
    periods, and posting there (the one-lookup path on PostgreSQL) is refused all the same."""
    fiscal_year_ensure(organization=books, on=date(THIS_YEAR - 2, 1, 1))
    last = fiscal_year_ensure(organization=books, on=date(THIS_YEAR - 1, 1, 1))
    FiscalYear.objects.filter(pk=last.pk).update(status=PeriodStatus.CLOSED)
    last.periods.update(status=PeriodStatus.CLOSED)
    for post in (
        lambda: post_entry(
            organization=books, actor=None, date=date(THIS_YEAR - 2, 5, 5), lines=lines(general)
        ),
        lambda: post_entries(
            organization=books,
            actor=None,
            entries=[EntryInput(date=date(THIS_YEAR - 2, 5, 5), lines=lines(general))],
        ),
    ):
        with pytest.raises(ServiceError, match=f"before the closed fiscal year {last.name}"):
            post()
    assert not JournalEntry.objects.exists()


# --- Years that do not exist yet ---------------------------------------------------------------


def test_a_donation_in_1901_is_refused_and_names_the_open_years(
    books: Organization, cast: dict[str, Any], general: Any, donor: Donor
) -> None:
    fiscal_year_ensure(organization=books, on=date(2024, 1, 1))  # the books start in 2024
    fundraising = api_client_for(cast["fundraising"], books)
    message = date_problem(donation(fundraising, donor, general, date(1901, 6, 1)))
    assert "before the organization's first fiscal year, FY2024" in message
    open_names = ", ".join(f"FY{y}" for y in (2024, *range(2026, THIS_YEAR + 1)))
    assert f"Open fiscal years: {open_names}." in message
    assert "FY1901" not in years()
    assert not Donation.objects.exists()


def test_a_date_two_years_past_the_next_year_is_refused(finance: Any, general: Any) -> None:
    before = years()
    for year in (THIS_YEAR + 2, THIS_YEAR + 3):
        response = send_json(
            finance, "POST", "/api/v1/journal-entries", entry_body(general, date(year, 2, 1))
        )
        message = date_problem(response)
        assert f"would start FY{year}, which is more than one year away" in message
        assert f"Open fiscal years: FY{THIS_YEAR}." in message
        assert f"FY{THIS_YEAR + 1}" in message  # the year a date may still start
    assert years() == before
    assert not JournalEntry.objects.exists()


def test_a_date_in_the_year_after_the_latest_opens_it(finance: Any, general: Any) -> None:
    response = send_json(
        finance, "POST", "/api/v1/journal-entries", entry_body(general, date(THIS_YEAR + 1, 3, 1))
    )
    assert response.status_code == 201, response.content
    assert years() == [f"FY{THIS_YEAR}", f"FY{THIS_YEAR + 1}"]


def test_last_year_and_opening_balances_the_day_before_are_within_reach(
    books: Organization, general: Any
) -> None:
    """A new organization's first fiscal year is the one before the year it was created in."""
    assert posting_calendar(organization=books).first_year()[1] == f"FY{THIS_YEAR - 1}"
    post_entry(
        organization=books, actor=None, date=date(THIS_YEAR - 1, 12, 31), lines=lines(general)
    )
    assert years() == [f"FY{THIS_YEAR - 1}", f"FY{THIS_YEAR}"]
    with pytest.raises(ServiceError, match="before the organization's first fiscal year") as err:
        post_entry(
            organization=books, actor=None, date=date(THIS_YEAR - 2, 12, 31), lines=lines(general)
        )
    assert err.value.errors[0]["field"] == "date"
    assert len(years()) == 2


def test_a_gap_between_years_can_be_filled(books: Organization, general: Any) -> None:
    fiscal_year_ensure(organization=books, on=date(THIS_YEAR - 3, 1, 1))
    post_entry(organization=books, actor=None, date=date(THIS_YEAR - 2, 4, 1), lines=lines(general))
    assert f"FY{THIS_YEAR - 2}" in years()


# --- The earliest date -------------------------------------------------------------------------


def test_1900_is_refused_and_the_message_says_so(
    books: Organization, cast: dict[str, Any], finance: Any, general: Any, donor: Donor
) -> None:
    assert date(1901, 1, 1) == EARLIEST_DATE
    api = send_json(
        finance, "POST", "/api/v1/journal-entries", entry_body(general, date(1900, 1, 1))
    )
    assert_problem(api, 422)
    fundraising = api_client_for(cast["fundraising"], books)
    message = date_problem(donation(fundraising, donor, general, date(1900, 1, 1)))
    assert "after 1900" in message
    for on in (date(1900, 1, 1), date(1900, 12, 31)):
        with pytest.raises(ServiceError, match="after 1900"):
            post_entry(organization=books, actor=None, date=on, lines=lines(general))
        with pytest.raises(ServiceError, match="after 1900"):
            fiscal_year_ensure(organization=books, on=on)
    assert years() == [f"FY{THIS_YEAR}"]
    assert not Donation.objects.exists()


# --- Pages -------------------------------------------------------------------------------------


def test_the_entry_page_shows_the_date_error_beside_the_field(
    books: Organization, cast: dict[str, Any], general: Any
) -> None:
    data = {
        "date": date(THIS_YEAR + 3, 1, 5).isoformat(),
        "memo": "Typo",
        "reference": "",
        "line": ["0", "1"],
        "account_0": str(acct("1010").pk),
        "fund_0": str(general.pk),
        "debit_0": "5.00",
        "account_1": str(acct("4010").pk),
        "fund_1": str(general.pk),
        "credit_1": "5.00",
    }
    response = client_for(cast["finance"]).post(
        reverse("ledger:ledger_entry_create", kwargs={"org_slug": "alpha"}), data
    )
    assert response.status_code == 422
    assert "more than one year away" in response.context["form"].errors["date"][0]
    assert years() == [f"FY{THIS_YEAR}"]


# --- Bulk imports ------------------------------------------------------------------------------


def test_a_donation_import_lists_each_refused_date_by_row(
    books: Organization, cast: dict[str, Any], admin_kw: dict[str, Any], general: Any
) -> None:
    from ifm.donors.imports.services import import_start

    closed = close_last_year(books, admin_kw, general)
    user = cast["fundraising"]
    rows = [
        "Gift ID,LGL Constituent ID,Gift Amount,Gift date,Payment type",
        "G-1,C-1,10.00,1901-06-01,cash",
        f"G-2,C-1,10.00,{THIS_YEAR - 1}-05-01,cash",
        f"G-3,C-1,10.00,{THIS_YEAR + 2}-05-01,cash",
        f"G-4,C-1,10.00,{THIS_YEAR}-05-01,cash",
    ]
    result, run, _earlier = import_start(
        organization=books,
        actor=user,
        access=Membership.objects.get(user=user),
        kind="donations",
        data="\n".join(rows).encode() + b"\n",
        filename="gifts.csv",
        dry_run=True,
    )
    assert run is None
    assert result is not None
    dates = {p.row: p.message for p in result.problems if p.column == "Gift date"}
    assert set(dates) == {2, 3, 4}
    assert "before the closed fiscal year" in dates[2]
    assert "is in a closed period" in dates[3]  # its periods closed with the year
    assert "more than one year away" in dates[4]
    assert years() == [closed.name, f"FY{THIS_YEAR}"]
