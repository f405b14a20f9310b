"""Sums of the plain shape are written as SQL (balances/plain_sums.py); every other shape goes
through the ORM. Both give the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import F, Q, Sum

from ifm.ledger.balances.monthly import SumOf, split, summed, summed_batch
from ifm.ledger.balances.plain_sums import plain_amounts, plain_filters, plain_rows
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Account, Fund, Program, Restriction
from ifm.tenancy.models import Organization

pytestmark = pytest.mark.django_db

CREDIT_LESS_DEBIT = {"net": Sum(F("credit") - F("debit"))}


def test_plain_filters_take_ids_funds_and_programs_and_refuse_the_rest() -> None:
    assert plain_filters(Q()) == []
    assert plain_filters(Q(fund_id=3) & Q(account_id__in=[1, 2])) == [
        ("fund_id", 3),
        ("account_id", [1, 2]),
    ]
    assert plain_filters(Q(fund_id=3) | Q(program_id=4)) is None
    assert plain_filters(~Q(fund_id=3)) is None
    assert plain_filters(Q(account__type="asset")) is None
    assert plain_filters(Q(account_id__in=Account.all_orgs.values("pk"))) is None
    assert plain_filters(Q(fund_id=None)) is None
    assert plain_filters(Q(account__type__in=["asset"])) == [("account_type", ["asset"])]
    assert plain_filters(Q(account__type__in=Account.all_orgs.values("type"))) is None


def test_plain_amounts_take_a_sum_of_debit_and_credit_only() -> None:
    assert plain_amounts({"net": Sum(F("debit") - F("credit"))}) == {"net": ("debit", "credit")}
    assert plain_amounts({"d": Sum(F("debit") - F("debit"))}) == {"d": ("debit", "debit")}
    assert plain_amounts({"net": Sum(F("debit") + F("credit"))}) is None
    assert plain_amounts({"net": Sum("debit")}) is None
    assert plain_amounts({"net": Sum(F("debit") - F("credit"), filter=Q(fund_id=1))}) is None
    assert plain_amounts({"net": Sum(F("amount") - F("credit"))}) is None


def _ledger(org: Organization, actor: Any, general: Fund) -> dict[str, Any]:
    youth = Fund.objects.create(code="YOUTH", name="Youth", restriction=Restriction.PURPOSE)
    meals = Program.objects.create(code="P1", name="Meals")
    start = date(date.today().year - 1, 1, 20)
    for day in range(0, (date.today() - start).days, 9):
        on = start + timedelta(days=day)
        amount = Decimal(day % 97 + 1) + Decimal("0.35")
        fund = youth if day % 2 else general
        post_entry(
            organization=org,
            actor=actor,
            date=on,
            lines=[
                LineInput(acct("8110"), fund, debit=amount, program=meals, function="program"),
                LineInput(acct("1010"), fund, credit=amount),
            ],
        )
        post_entry(
            organization=org,
            actor=actor,
            date=on,
            lines=[
                LineInput(acct("1010"), fund, debit=amount * 2),
                LineInput(acct("4010"), fund, credit=amount * 2),
            ],
        )
    return {"youth": youth, "meals": meals, "start": start}


def test_the_plain_statement_and_the_orm_give_the_same_rows(
    books: Organization, cast: Any, general: Fund
) -> None:
    made = _ledger(books, cast["admin"], general)
    expense = acct("8110").pk
    wheres = [
        Q(),
        Q(fund_id=made["youth"].pk),
        Q(account_id__in=[expense, acct("4010").pk]),
        Q(program_id=made["meals"].pk) & Q(account_id=expense),
        Q(account__type__in=["expense", "revenue"]) & Q(fund_id=general.pk),
    ]
    ranges = [
        (None, date.today()),
        (made["start"] + timedelta(days=17), date.today() - timedelta(days=40)),
        (made["start"], made["start"] + timedelta(days=20)),
        (date(date.today().year - 1, 1, 1), date(date.today().year - 1, 12, 31)),
    ]
    base = ["account_id", "fund_id", "program_id", "function"]
    for where in wheres:
        for date_from, date_to in ranges:
            for closing in (False, True):
                parts = split(date_from, date_to)
                plain = plain_rows(
                    base=base, sums=CREDIT_LESS_DEBIT, parts=parts, where=where,
                    exclude_closing=closing,
                )  # fmt: skip
                assert plain is not None
                # The same filter said through the account table goes through the ORM.
                through_orm = where & Q(account__organization=books)
                assert plain_rows(
                    base=base, sums=CREDIT_LESS_DEBIT, parts=parts, where=through_orm,
                    exclude_closing=closing,
                ) is None  # fmt: skip
                orm = summed(
                    group_by=base, sums=lambda: dict(CREDIT_LESS_DEBIT), date_from=date_from,
                    date_to=date_to, where=through_orm, exclude_closing=closing,
                )  # fmt: skip
                mine = summed(
                    group_by=base, sums=lambda: dict(CREDIT_LESS_DEBIT), date_from=date_from,
                    date_to=date_to, where=where, exclude_closing=closing,
                )  # fmt: skip
                assert [
                    {**r, "net": Decimal(r["net"]).quantize(Decimal("0.01"))} for r in mine
                ] == [{**r, "net": Decimal(r["net"]).quantize(Decimal("0.01"))} for r in orm]
                assert mine  # the ranges hold postings


def test_a_batch_of_sums_is_one_statement_equal_to_each_sum_through_the_orm(
    books: Organization, cast: Any, general: Fund, django_assert_num_queries: Any
) -> None:
    made = _ledger(books, cast["admin"], general)
    today = date.today()
    mid = made["start"] + timedelta(days=100)
    batch = [
        # Named groups, a type filter with lines at both edges, one fund: the shapes the
        # statements ask for, each over other dates.
        SumOf(
            ("account_id", "account__number", "account__type", "program__code", "function"),
            lambda: dict(CREDIT_LESS_DEBIT),
            mid,
            today - timedelta(days=3),
            Q(account__type__in=["expense", "revenue"]),
            True,
        ),
        SumOf(
            ("account__type", "account__net_asset_class"),
            lambda: dict(CREDIT_LESS_DEBIT),
            None,
            mid - timedelta(days=1),
            Q(account__type__in=["expense", "revenue", "net_assets"]),
            True,
        ),
        SumOf(
            ("fund_id", "fund__code"),
            lambda: {"d": Sum(F("debit") - F("credit")), "c": Sum(F("credit") - F("debit"))},
            None,
            today,
            Q(fund_id=made["youth"].pk),
        ),
        SumOf(("function",), lambda: dict(CREDIT_LESS_DEBIT), today, today),  # nothing
    ]
    with django_assert_num_queries(1):
        together = summed_batch(batch)
    for one, rows in zip(batch, together, strict=True):
        # The same filters said through the account table go through the ORM, one by one.
        orm = summed(
            group_by=one.group_by, sums=one.sums, date_from=one.date_from,
            date_to=one.date_to, where=(one.where or Q()) & Q(account__organization=books),
            exclude_closing=one.exclude_closing,
        )  # fmt: skip
        assert _cents(rows, one.sums()) == _cents(orm, one.sums())
    assert all(together[:3])
    assert together[3] == []


def _cents(rows: list[dict[str, Any]], sums: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {k: Decimal(v).quantize(Decimal("0.01")) if k in sums else v for k, v in row.items()}
        for row in rows
    ]
