"""A small set of books for the page and file tests: a gift, an expense for management and one
for a program, in this month, and another organization's large gift that must never show."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from ifm.core.org_context import org_context
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Function, Fund, Program
from ifm.tenancy.models import Organization

TODAY = date.today()


@pytest.fixture
def posted(books: Organization, org_b: Organization, cast: Any, general: Fund) -> Organization:
    program = Program.objects.create(organization=books, code="P1", name="Meals")
    post_entry(
        organization=books,
        actor=cast["admin"],
        date=TODAY,
        lines=[
            LineInput(acct("1010"), general, debit=Decimal("1250.00")),
            LineInput(acct("4010"), general, credit=Decimal("1250.00")),
        ],
    )
    post_entry(
        organization=books,
        actor=cast["admin"],
        date=TODAY,
        lines=[
            LineInput(acct("8110"), general, debit=Decimal("200.00"), function=Function.MANAGEMENT),
            LineInput(
                acct("8110"),
                general,
                debit=Decimal("300.00"),
                function=Function.PROGRAM,
                program=program,
            ),
            LineInput(acct("1010"), general, credit=Decimal("500.00")),
        ],
    )
    with org_context(org_b):
        theirs = Fund.objects.get(is_general=True)
        post_entry(
            organization=org_b,
            actor=cast["other_admin"],
            date=TODAY,
            lines=[
                LineInput(acct("1010"), theirs, debit=Decimal("999999")),
                LineInput(acct("4010"), theirs, credit=Decimal("999999")),
            ],
        )
    return books
