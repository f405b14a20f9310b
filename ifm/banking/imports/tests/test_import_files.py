"""`statement_import` end to end, from the bytes of real bank files and of generated ones:
the right count and sum, a second import adds nothing, overlapping files add only new lines,
and a bad file changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Sum

from ifm.accounts.services import membership_set
from ifm.banking.accounts.services import bank_account_create, csv_profile_create
from ifm.banking.accounts.tests.conftest import who
from ifm.banking.imports.services import StatementImportError, statement_import
from ifm.banking.imports.tests.conftest import line, month_of_lines
from ifm.banking.models import BankAccount, BankTransaction, Statement
from ifm.banking.statements.generate import camt_bytes, csv_bytes, ofx_bytes, xlsx_bytes
from ifm.core.org_context import org_context
from ifm.ledger.chart.services import chart_create_from_template
from ifm.ledger.models import Account
from ifm.orgs.services import organization_create
from ifm.tenancy.models import Organization
from ifm.tenancy.roles import Role

pytestmark = pytest.mark.django_db
# The real bank files, kept unchanged beside the readers' tests (see their LICENSES.md).
REAL = Path(__file__).resolve().parents[2] / "statements" / "tests" / "fixtures" / "realdata"
USD = "USD"

# file, currency, account number as the bank prints it, lines, their sum, closing balance.
REAL_FILES = [
    ("anzcc.ofx", "AUD", "1234123412341234", 1, "-5.50", "-123.45"),
    ("bank_medium.ofx", "CAD", "12300 000012345678", 3, "-345.27", "382.34"),
    ("fidelity-savings.ofx", "USD", "X0000001", 4, "-1778.40", None),
    ("ofx-v102-empty-tags.ofx", "USD", "12345678", 1, "12.34", None),
    ("suncorp.ofx", "AUD", "123456789", 1, "-16.85", "1234.12"),
    ("sample-statement.csv", "GBP", "1515152252", 12, "-3881.99", None),
]


def _org(currency: str, cast: dict[str, Any]) -> tuple[Organization, dict[str, Any]]:
    org = organization_create(
        slug=f"bank-{currency.lower()}", name=f"In {currency}", currency=currency
    )
    chart_create_from_template(organization=org)
    membership_set(organization=org, user=cast["finance"], role=Role.FINANCE)
    return org, who(org, cast["finance"])


@pytest.mark.parametrize(("name", "currency", "number", "count", "total", "closing"), REAL_FILES)
def test_real_files_import_with_their_count_and_sum_and_again_as_duplicates(
    cast: dict[str, Any],
    name: str,
    currency: str,
    number: str,
    count: int,
    total: str,
    closing: str | None,
) -> None:
    org, finance = _org(currency, cast)
    data = (REAL / name).read_bytes()
    with org_context(org):
        account = bank_account_create(
            **finance,
            name="Statement account",
            ledger_account=Account.objects.get(number="1010"),
            account_number=number,
        )
        profile = None
        if name.endswith(".csv"):
            profile = csv_profile_create(
                **finance,
                name="UK bank",
                date_column="Transaction Date",
                date_format="%d/%m/%Y",
                debit_column="Debit Amount",
                credit_column="Credit Amount",
                payee_column="Transaction Description",
                reference_column="Transaction Type",
            )
        first = statement_import(
            **finance, bank_account=account, data=data, filename=name, profile=profile
        )
        assert (first.imported, first.duplicates) == (count, 0)
        lines = BankTransaction.objects.filter(bank_account=account)
        assert lines.count() == count
        assert lines.aggregate(s=Sum("amount"))["s"] == Decimal(total)
        expected_closing = None if closing is None else Decimal(closing)
        assert first.statement.closing_balance == expected_closing
        again = statement_import(
            **finance, bank_account=account, data=data, filename=name, profile=profile
        )
        assert (again.imported, again.duplicates) == (0, count)
        assert lines.count() == count
        assert Statement.objects.filter(bank_account=account).count() == 2


def test_a_real_file_for_another_account_is_refused(cast: dict[str, Any]) -> None:
    org, finance = _org("CAD", cast)
    with org_context(org):
        account = bank_account_create(
            **finance,
            name="Other",
            ledger_account=Account.objects.get(number="1010"),
            account_number="4321",
        )
        with pytest.raises(StatementImportError) as exc:
            statement_import(
                **finance,
                bank_account=account,
                data=(REAL / "bank_medium.ofx").read_bytes(),
                filename="bank_medium.ofx",
            )
        assert [p.field for p in exc.value.problems] == ["account_number"]
        assert "5678" in exc.value.message
        assert "4321" in exc.value.message
        assert not Statement.objects.exists()


@pytest.mark.parametrize("with_ids", [True, False])
def test_generated_ofx_january_to_march_after_february_to_april(
    finance: dict[str, Any], checking: BankAccount, with_ids: bool
) -> None:
    year = month_of_lines(date(2026, 1, 1), 120, with_ids=with_ids)
    feb_apr = [x for x in year if date(2026, 2, 1) <= x.date <= date(2026, 4, 30)]
    jan_mar = [x for x in year if x.date <= date(2026, 3, 31)]
    ofx = ofx_bytes(feb_apr, account_number="000123456789", currency=USD)
    assert statement_import(
        **finance, bank_account=checking, data=ofx, filename="a.ofx"
    ).imported == len(feb_apr)
    ofx = ofx_bytes(jan_mar, account_number="000123456789", currency=USD, sgml=False)
    result = statement_import(**finance, bank_account=checking, data=ofx, filename="b.ofx")
    assert result.imported == len([x for x in year if x.date.month == 1])
    assert BankTransaction.objects.count() == len([x for x in year if x.date.month <= 4])


def test_camt_with_genuine_identical_lines_keeps_both_and_checks_its_balances(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    coffees = [line("2026-05-04", "-4.50", "Corner Coffee")] * 2 + [
        line("2026-05-05", "250.00", "Gift", bank_id="REF-9")
    ]
    data = camt_bytes(
        coffees, account_number="123456789", currency=USD, opening_balance=Decimal("100.00")
    )
    result = statement_import(**finance, bank_account=checking, data=data, filename="s.xml")
    assert (result.imported, result.statement.format) == (3, "camt")
    assert result.statement.opening_balance == Decimal("100.00")
    assert result.statement.closing_balance == Decimal("341.00")
    again = statement_import(**finance, bank_account=checking, data=data, filename="s.xml")
    assert (again.imported, again.duplicates) == (0, 3)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tables_import_with_their_profile(
    finance: dict[str, Any], checking: BankAccount, fmt: str
) -> None:
    profile = csv_profile_create(
        **finance,
        name="Generated",
        date_column="Date",
        amount_column="Amount",
        payee_column="Description",
        balance_column="Balance",
    )
    lines = month_of_lines(date(2026, 6, 1), 10)
    data = csv_bytes(lines) if fmt == "csv" else xlsx_bytes(lines)
    result = statement_import(
        **finance, bank_account=checking, data=data, filename=f"s.{fmt}", profile=profile
    )
    assert (result.imported, result.statement.format, result.statement.profile) == (
        len(lines),
        fmt,
        profile,
    )
    with pytest.raises(StatementImportError) as exc:
        statement_import(**finance, bank_account=checking, data=data, filename=f"s.{fmt}")
    assert exc.value.problems[0].field == "profile"


def test_a_malformed_oversized_or_empty_file_changes_nothing(
    finance: dict[str, Any], checking: BankAccount, settings: Any
) -> None:
    good = ofx_bytes(month_of_lines(date(2026, 1, 1), 10), account_number="6789", currency=USD)
    for bad in (good[: len(good) // 2], b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100):
        with pytest.raises(StatementImportError) as exc:
            statement_import(**finance, bank_account=checking, data=bad, filename="bad.ofx")
        assert exc.value.errors
        assert exc.value.status == 422
    settings.BANKING_IMPORT_MAX_MB = 1
    with pytest.raises(StatementImportError) as exc:
        statement_import(
            **finance, bank_account=checking, data=good + b" " * 2**20, filename="big.ofx"
        )
    assert "at most 1 MB" in exc.value.message
    assert not Statement.objects.exists()
    assert not BankTransaction.objects.exists()
    with pytest.raises(StatementImportError) as exc:
        statement_import(
            **finance,
            bank_account=checking,
            data=ofx_bytes(
                month_of_lines(date(2026, 1, 1), 3), account_number="6789", currency="EUR"
            ),
            filename="eur.ofx",
        )
    assert [p.field for p in exc.value.problems] == ["currency"]
    assert not Statement.objects.exists()
