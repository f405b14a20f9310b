"""Managing accounts, funds and programs: validation naming the field, versions, audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ifm.audit.models import AuditEvent
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import all_organizations
from ifm.ledger.chart.services import (
    account_create,
    account_delete,
    account_update,
    fund_create,
    fund_update,
    program_create,
    program_update,
)
from ifm.ledger.conftest import acct
from ifm.ledger.journal.posting import LineInput, post_entry
from ifm.ledger.models import Account, Fund, Program, Restriction
from ifm.tenancy.models import Membership


@pytest.fixture
def ctx(books: Any, cast: dict[str, Any]) -> dict[str, Any]:
    return {
        "organization": books,
        "actor": cast["finance"],
        "access": Membership.objects.get(user=cast["finance"]),
    }


def _post(books: Any, debit: str, credit: str, amount: str = "10.00") -> None:
    general = Fund.objects.get(is_general=True)
    post_entry(
        organization=books,
        actor=None,
        date=date.today(),
        lines=[
            LineInput(acct(debit), general, debit=Decimal(amount)),
            LineInput(acct(credit), general, credit=Decimal(amount)),
        ],
    )


def _field(exc: pytest.ExceptionInfo[ServiceError]) -> str:
    return exc.value.errors[0]["field"]


# --- Accounts ------------------------------------------------------------------------------------


def test_create_account_under_header_is_audited(ctx: dict[str, Any]) -> None:
    account = account_create(
        **ctx, number="1030", name="Cash in bank - grants", type="asset", parent=acct("1000")
    )
    assert (account.number, account.parent, account.is_active, account.version) == (
        "1030",
        acct("1000"),
        True,
        1,
    )
    event = AuditEvent.objects.get(action="account.create", object_id=str(account.pk))
    assert event.changes["number"] == {"before": None, "after": "1030"}
    assert event.changes["parent"] == {"before": None, "after": "1000"}
    assert event.actor == ctx["actor"]


@pytest.mark.parametrize(
    ("number", "field"),
    [
        ("", "number"),
        ("10A0", "number"),
        ("1" * 21, "number"),
        ("-100", "number"),
        ("1010", "number"),
    ],
)
def test_account_number_rules(ctx: dict[str, Any], number: str, field: str) -> None:
    with pytest.raises(ServiceError) as exc:
        account_create(**ctx, number=number, name="X", type="asset")
    assert _field(exc) == field


def test_account_number_allows_dots_and_dashes(ctx: dict[str, Any]) -> None:
    assert account_create(**ctx, number="1010.20-3", name="Sub", type="asset").number == "1010.20-3"


def test_parent_must_have_the_same_type(ctx: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        account_create(**ctx, number="1031", name="X", type="asset", parent=acct("2000"))
    assert _field(exc) == "parent"
    assert "same type" in exc.value.message
    assert not Account.objects.filter(number="1031").exists()


def test_parent_with_postings_cannot_become_header(books: Any, ctx: dict[str, Any]) -> None:
    _post(books, "1010", "4010")
    with pytest.raises(ServiceError) as exc:
        account_create(**ctx, number="1011", name="X", type="asset", parent=acct("1010"))
    assert _field(exc) == "parent"


def test_no_cycles(ctx: dict[str, Any]) -> None:
    header = acct("1000")
    with pytest.raises(ServiceError) as exc:
        account_update(**ctx, account=header, expected_version=header.version, parent=acct("1010"))
    assert _field(exc) == "parent"
    assert "loop" in exc.value.message
    with pytest.raises(ServiceError):
        account_update(**ctx, account=header, expected_version=header.version, parent=header)
    assert acct("1000").parent is None


def test_rename_renumber_and_audit(ctx: dict[str, Any]) -> None:
    account = acct("1040")
    updated = account_update(
        **ctx, account=account, expected_version=1, number="1045", name="Petty cash box"
    )
    assert (updated.number, updated.name, updated.version) == ("1045", "Petty cash box", 2)
    event = AuditEvent.objects.get(action="account.update", object_id=str(account.pk))
    assert event.changes == {
        "name": {"before": "Petty cash", "after": "Petty cash box"},
        "number": {"before": "1040", "after": "1045"},
    }


def test_renumber_must_stay_unique(ctx: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        account_update(**ctx, account=acct("1040"), expected_version=1, number="1010")
    assert _field(exc) == "number"
    assert acct("1040").name == "Petty cash"


def test_stale_version_is_a_conflict(ctx: dict[str, Any]) -> None:
    account = acct("1040")
    account_update(**ctx, account=account, expected_version=1, name="A")
    with pytest.raises(ConflictError):
        account_update(**ctx, account=account, expected_version=1, name="B")
    assert acct("1040").name == "A"


def test_account_with_postings_can_be_deactivated_never_deleted(
    books: Any, ctx: dict[str, Any]
) -> None:
    _post(books, "1020", "4010")
    account = acct("1020")
    with pytest.raises(ServiceError) as exc:
        account_delete(**ctx, account=account)
    assert "deactivate" in exc.value.message
    updated = account_update(**ctx, account=account, expected_version=1, is_active=False)
    assert updated.is_active is False
    assert Account.objects.filter(number="1020").exists()


def test_delete_refuses_headers_and_role_accounts(ctx: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="sub-accounts"):
        account_delete(**ctx, account=acct("1000"))
    with pytest.raises(ServiceError, match="used by the ledger"):
        account_delete(**ctx, account=acct("1900"))
    with pytest.raises(ServiceError, match="stays active"):
        account_update(**ctx, account=acct("1010"), expected_version=1, is_active=False)


def test_delete_unused_account(ctx: dict[str, Any]) -> None:
    account = acct("1040")
    pk = account.pk
    account_delete(**ctx, account=account)
    assert not Account.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="account.delete", object_id=str(pk))
    assert event.changes["number"] == {"before": "1040", "after": None}


def test_update_every_account_field_and_reactivate_only_under_an_active_parent(
    ctx: dict[str, Any],
) -> None:
    header = account_create(**ctx, number="1090", name="Deposits", type="asset")
    child = account_create(**ctx, number="1091", name="Rent deposit", type="asset", parent=header)
    with pytest.raises(ServiceError) as exc:
        account_update(**ctx, account=child, expected_version=1, number="1010")
    assert (_field(exc), exc.value.message) == (
        "number",
        "There is already an account numbered 1010.",
    )
    child = account_update(
        **ctx,
        account=child,
        expected_version=1,
        number="1091",
        name="  Rent  deposit ",
        description="Held by the landlord",
        net_asset_class="",
        parent=header,
        is_active=True,
    )
    assert (child.number, child.name, child.version) == ("1091", "Rent deposit", 2)
    event = AuditEvent.objects.get(action="account.update", object_id=str(child.pk))
    assert event.changes == {"description": {"before": "", "after": "Held by the landlord"}}
    child = account_update(**ctx, account=child, expected_version=2, is_active=False)
    account_update(**ctx, account=header, expected_version=1, is_active=False)
    with pytest.raises(ServiceError) as exc:
        account_update(**ctx, account=child, expected_version=3, is_active=True)
    assert (_field(exc), exc.value.message) == (
        "is_active",
        "Its parent is inactive: activate the parent first.",
    )
    moved = account_update(**ctx, account=child, expected_version=3, parent=None, is_active=True)
    assert (moved.parent, moved.is_active) == (None, True)


def test_header_with_active_children_cannot_be_deactivated(ctx: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        account_update(**ctx, account=acct("8300"), expected_version=1, is_active=False)
    assert _field(exc) == "is_active"


def test_needs_ledger_manage(books: Any, cast: dict[str, Any]) -> None:
    for role in ("staff", "viewer", "fundraising"):
        with pytest.raises(PermissionDenied):
            account_create(
                organization=books,
                actor=cast[role],
                access=Membership.objects.get(user=cast[role]),
                number="1099",
                name="X",
                type="asset",
            )
    assert not Account.objects.filter(number="1099").exists()


def test_another_organizations_parent_is_not_found(
    books: Any, org_b: Any, ctx: dict[str, Any]
) -> None:
    with all_organizations():
        other = Account.all_orgs.get(organization=org_b, number="1000")
    with pytest.raises(Account.DoesNotExist):
        account_create(**ctx, number="1099", name="X", type="asset", parent=other)


# --- Funds ---------------------------------------------------------------------------------------


def test_fund_create_and_update(ctx: dict[str, Any]) -> None:
    fund = fund_create(
        **ctx, code="ENDOW", name="Endowment", restriction="perpetual", purpose="Scholarships"
    )
    assert (fund.restriction, fund.is_general) == ("perpetual", False)
    fund = fund_update(**ctx, fund=fund, expected_version=1, name="Endowment fund")
    assert fund.version == 2
    event = AuditEvent.objects.get(action="fund.update", object_id=str(fund.pk))
    assert event.changes == {"name": {"before": "Endowment", "after": "Endowment fund"}}


def test_fund_validation(ctx: dict[str, Any]) -> None:
    with pytest.raises(ServiceError) as exc:
        fund_create(**ctx, code="GEN", name="Dup")
    assert _field(exc) == "code"
    with pytest.raises(ServiceError) as exc:
        fund_create(**ctx, code="bad code", name="X")
    assert _field(exc) == "code"
    with pytest.raises(ServiceError) as exc:
        fund_create(**ctx, code="P1", name="X", restriction="purpose")
    assert _field(exc) == "purpose"
    with pytest.raises(ServiceError) as exc:
        fund_create(**ctx, code="P1", name="X", restriction="nonsense")
    assert _field(exc) == "restriction"


def test_fund_update_code_purpose_and_dates_are_checked(ctx: dict[str, Any]) -> None:
    fund = fund_create(**ctx, code="YTH", name="Youth", restriction="purpose", purpose="Youth")
    with pytest.raises(ServiceError) as exc:
        fund_update(**ctx, fund=fund, expected_version=1, code="gen")
    assert (_field(exc), exc.value.message) == (
        "code",
        "There is already a fund with the code gen.",
    )
    with pytest.raises(ServiceError) as exc:
        fund_update(**ctx, fund=fund, expected_version=1, purpose=" ")
    assert (_field(exc), exc.value.message) == ("purpose", "Say what the restricted purpose is.")
    with pytest.raises(ServiceError) as exc:
        fund_update(**ctx, fund=fund, expected_version=1, restricted_until=date(2030, 1, 1))
    assert _field(exc) == "restricted_until"
    fund = fund_update(
        **ctx,
        fund=fund,
        expected_version=1,
        code="YTH",
        restriction="time",
        restricted_until=date(2030, 1, 1),
        is_active=True,
    )
    assert (fund.code, fund.restriction, fund.restricted_until) == ("YTH", "time", date(2030, 1, 1))
    event = AuditEvent.objects.get(action="fund.update", object_id=str(fund.pk))
    assert event.changes == {
        "restriction": {"before": "purpose", "after": "time"},
        "restricted_until": {"before": None, "after": "2030-01-01"},
    }
    fund = fund_update(**ctx, fund=fund, expected_version=2, code="YOUTH2", is_active=False)
    assert (fund.code, fund.is_active, fund.version) == ("YOUTH2", False, 3)


def test_general_fund_stays_general(ctx: dict[str, Any]) -> None:
    general = Fund.objects.get(is_general=True)
    with pytest.raises(ServiceError) as exc:
        fund_update(**ctx, fund=general, expected_version=1, is_active=False)
    assert _field(exc) == "is_active"
    with pytest.raises(ServiceError) as exc:
        fund_update(**ctx, fund=general, expected_version=1, restriction="purpose", purpose="x")
    assert _field(exc) == "restriction"
    general.refresh_from_db()
    assert (general.is_active, general.restriction) == (True, Restriction.NONE)


def test_restriction_of_fund_with_postings_is_fixed(books: Any, ctx: dict[str, Any]) -> None:
    fund = fund_create(**ctx, code="YTH", name="Youth", restriction="purpose", purpose="Youth")
    post_entry(
        organization=books,
        actor=None,
        date=date.today(),
        lines=[
            LineInput(acct("1010"), fund, debit=Decimal("5.00")),
            LineInput(acct("4015"), fund, credit=Decimal("5.00")),
        ],
    )
    with pytest.raises(ServiceError) as exc:
        fund_update(**ctx, fund=fund, expected_version=1, restriction="none")
    assert _field(exc) == "restriction"
    assert fund_update(**ctx, fund=fund, expected_version=1, is_active=False).is_active is False


# --- Programs ------------------------------------------------------------------------------------


def test_program_create_update(ctx: dict[str, Any]) -> None:
    program = program_create(**ctx, code="YOUTH", name="Youth work")
    with pytest.raises(ServiceError) as exc:
        program_create(**ctx, code="youth", name="Again")
    assert _field(exc) == "code"
    program = program_update(**ctx, program=program, expected_version=1, is_active=False)
    assert (program.is_active, program.version) == (False, 2)
    assert Program.objects.get(pk=program.pk).is_active is False
    assert (
        AuditEvent.objects.filter(
            action__in=["program.create", "program.update"], object_id=str(program.pk)
        ).count()
        == 2
    )
