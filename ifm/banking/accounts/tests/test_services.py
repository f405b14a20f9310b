"""Bank account and column profile services: the rules, the audit, the permission."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.audit.models import AuditEvent
from ifm.banking.accounts import services
from ifm.banking.accounts.tests.conftest import account, who
from ifm.banking.models import BankAccount, BankTransaction, CsvProfile, Statement
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.ledger.chart.services import chart_create_from_template
from ifm.ledger.models import Account, Fund

pytestmark = pytest.mark.django_db


def _fields(exc: pytest.ExceptionInfo[ServiceError]) -> set[str]:
    return {e["field"] for e in exc.value.errors}


def test_a_bank_account_keeps_only_the_last_digits_and_takes_the_general_fund(
    checking: BankAccount, in_a: Any
) -> None:
    assert checking.account_last_digits == "6789"
    assert checking.masked_number == "••••6789"
    assert checking.currency == in_a.currency
    assert checking.default_fund == Fund.objects.get(is_general=True)
    event = AuditEvent.objects.get(action="bank_account.create")
    assert event.object_id == str(checking.pk)
    assert "000123456789" not in str(event.changes)


@pytest.mark.parametrize(
    ("number", "why"),
    [("4000", "revenue"), ("1000", "a header"), ("1200", "an asset that is not cash")],
)
def test_the_ledger_account_must_be_a_postable_cash_account(
    finance: dict[str, Any], number: str, why: str
) -> None:
    target = Account.objects.filter(number=number).first()
    assert target is not None, why
    with pytest.raises(ServiceError) as exc:
        services.bank_account_create(**finance, name="Bad", ledger_account=target)
    assert _fields(exc) == {"ledger_account"}
    assert not BankAccount.objects.exists()


def test_another_organizations_cash_account_or_fund_is_refused(
    finance: dict[str, Any], org_b: Any
) -> None:
    chart_create_from_template(organization=org_b)
    with org_context(org_b):
        theirs = Account.objects.get(number="1010")
        their_fund = Fund.objects.get(is_general=True)
    with pytest.raises(ServiceError) as exc:
        services.bank_account_create(
            **finance, name="Theirs", ledger_account=theirs.pk, default_fund=their_fund.pk
        )
    assert _fields(exc) == {"ledger_account", "default_fund"}


def test_one_bank_account_per_cash_account_and_names_are_unique(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    with pytest.raises(ServiceError) as exc:
        services.bank_account_create(**finance, name="checking", ledger_account=account("1010"))
    assert _fields(exc) == {"name", "ledger_account"}
    assert "Checking" in exc.value.message


def test_an_account_number_without_digits_is_refused(finance: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        services.bank_account_create(
            **finance, name="Savings", ledger_account=account("1070"), account_number="abc"
        )
    assert _fields(exc) == {"account_number"}


def test_a_viewer_may_not_add_a_bank_account(in_a: Any, cast: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.bank_account_create(
            **who(in_a, cast["viewer"]), name="Nope", ledger_account=account("1010")
        )


def test_the_access_defaults_to_the_actors_membership(in_a: Any, cast: dict[str, Any]) -> None:
    made = services.bank_account_create(
        organization=in_a, actor=cast["admin"], name="Payroll", ledger_account=account("1020")
    )
    assert made.pk
    with pytest.raises(PermissionDenied):
        services.bank_account_create(
            organization=in_a, actor=cast["viewer"], name="Nope", ledger_account=account("1040")
        )


def test_an_update_with_a_stale_version_changes_nothing(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    services.bank_account_update(
        **finance, bank_account=checking, version=checking.version, name="Main checking"
    )
    stale = BankAccount.objects.get(pk=checking.pk)
    stale.version = 1
    with pytest.raises(ConflictError):
        services.bank_account_update(
            **finance, bank_account=stale, version=1, name="Other name", account_number="9999"
        )
    fresh = BankAccount.objects.get(pk=checking.pk)
    assert (fresh.name, fresh.account_last_digits, fresh.version) == ("Main checking", "6789", 2)
    event = AuditEvent.objects.get(action="bank_account.update")
    assert event.changes["name"] == {"before": "Checking", "after": "Main checking"}


def _line(bank_account: BankAccount) -> None:
    statement = Statement.objects.create(
        organization=bank_account.organization,
        bank_account=bank_account,
        format="csv",
        filename="s.csv",
        sha256="0" * 64,
    )
    BankTransaction.objects.create(
        organization=bank_account.organization,
        bank_account=bank_account,
        statement=statement,
        date=date(2026, 1, 5),
        amount=Decimal("-3.50"),
        identity="h:x",
    )


def test_an_account_with_lines_is_archived_not_deleted(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    _line(checking)
    with pytest.raises(ConflictError) as exc:
        services.bank_account_delete(**finance, bank_account=checking)
    assert "archive" in exc.value.message
    assert BankAccount.objects.filter(pk=checking.pk).exists()
    services.bank_account_archive(**finance, bank_account=checking)
    assert BankAccount.objects.get(pk=checking.pk).is_archived
    assert AuditEvent.objects.filter(action="bank_account.archive").count() == 1
    services.bank_account_archive(**finance, bank_account=checking, archived=False)
    assert not BankAccount.objects.get(pk=checking.pk).is_archived


def test_an_account_without_lines_is_deleted(
    finance: dict[str, Any], checking: BankAccount
) -> None:
    services.bank_account_delete(**finance, bank_account=checking)
    assert not BankAccount.objects.exists()
    assert AuditEvent.objects.filter(action="bank_account.delete").count() == 1


def test_a_profile_needs_a_date_and_an_amount_or_both_sides(finance: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        services.csv_profile_create(**finance, name="Empty", date_column="")
    assert _fields(exc) == {"date_column", "amount_column"}
    with pytest.raises(ServiceError) as exc:
        services.csv_profile_create(
            **finance, name="Both", date_column="Date", amount_column="A", debit_column="D"
        )
    assert _fields(exc) == {"amount_column"}
    with pytest.raises(ServiceError) as exc:
        services.csv_profile_create(
            **finance, name="Bad format", date_column="Date", amount_column="A", date_format="%d"
        )
    assert _fields(exc) == {"date_format"}
    assert not CsvProfile.objects.exists()


def test_a_profile_is_made_and_changed_with_its_version(finance: dict[str, Any]) -> None:
    profile = services.csv_profile_create(
        **finance,
        name="Chase",
        date_column="Posting Date",
        date_format="%m/%d/%Y",
        debit_column="Withdrawals",
        credit_column="Deposits",
        payee_column="Description",
    )
    services.csv_profile_update(
        **finance, profile=profile, version=1, balance_column="Balance", decimal_comma=True
    )
    fresh = CsvProfile.objects.get(pk=profile.pk)
    assert (fresh.balance_column, fresh.decimal_comma, fresh.version) == ("Balance", True, 2)
    with pytest.raises(ConflictError):
        services.csv_profile_update(**finance, profile=fresh, version=1, name="Chase 2")
    with pytest.raises(ServiceError):
        services.csv_profile_update(**finance, profile=fresh, version=2, amount_column="Amount")
    assert CsvProfile.objects.get(pk=profile.pk).name == "Chase"
