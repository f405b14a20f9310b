"""Managing the chart of accounts, funds and programs (the built-in chart included).

Every function needs "ledger.manage", takes the organization, the acting user and their access,
validates with errors that name the field, and records the change in the audit log with its
before and after values. Posting lives in ifm.ledger.journal.posting.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import transaction

from ifm.accounts.models import User
from ifm.audit.services import audit_record, diff
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.ledger.chart.selectors import account_has_postings
from ifm.ledger.chart.template import CASH_ACCOUNT_NUMBERS, UCOA_TEMPLATE
from ifm.ledger.models import (
    Account,
    AccountType,
    Fund,
    JournalLine,
    LedgerCounter,
    NetAssetClass,
    Program,
    Restriction,
)
from ifm.ledger.periods.fiscal_years import organization_today
from ifm.ledger.periods.services import fiscal_year_ensure
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service


@transaction.atomic
def chart_create_from_template(*, organization: Organization) -> None:
    """Give a new organization the UCOA chart, a general fund and the current fiscal year."""
    with org_context(organization):
        if Account.objects.exists():
            return
        by_number: dict[str, Account] = {}
        for number, name, type_, parent, net_class, role in UCOA_TEMPLATE:
            account = Account.objects.create(
                number=number,
                name=name,
                type=type_,
                parent=by_number.get(parent),
                net_asset_class=net_class,
                role=role,
                is_cash=number in CASH_ACCOUNT_NUMBERS,
            )
            by_number[number] = account
        Fund.objects.create(
            code="GEN", name="General fund", restriction=Restriction.NONE, is_general=True
        )
        LedgerCounter.objects.create()
        fiscal_year_ensure(organization=organization, on=organization_today(organization))


NUMBER_RE = re.compile(r"^[0-9][0-9.\-]{0,19}$")


CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,19}$")


NUMBER_HELP = "up to 20 characters: digits, dots and dashes, starting with a digit"


CODE_HELP = "up to 20 characters: letters, digits, dots, dashes and underscores"


# `parent=UNCHANGED` (the default of account_update) leaves the parent as it is; None makes
# the account top-level.
UNCHANGED: Any = ...


def _check_org(obj: Any, organization: Organization) -> None:
    if obj.organization_id != organization.pk:
        # Another organization's row is "not found", exactly like a missing one.
        raise type(obj).DoesNotExist(f"No such {type(obj)._meta.verbose_name}.")


def clean_account_number(value: Any, field: str = "number") -> str:
    number = str(value if value is not None else "").strip()
    if not number:
        raise ServiceError("Give the account a number.", field=field)
    if not NUMBER_RE.match(number):
        raise ServiceError(
            f"The account number {number[:40]!r} is not valid: {NUMBER_HELP}.", field=field
        )
    return number


def _clean_name(value: Any, field: str = "name", max_length: int = 200) -> str:
    name = " ".join(str(value if value is not None else "").split())
    if not name:
        raise ServiceError("Give it a name.", field=field)
    if len(name) > max_length:
        raise ServiceError(f"The name is too long (at most {max_length} characters).", field=field)
    return name


def _clean_text(value: Any, field: str, max_length: int = 500) -> str:
    text = str(value if value is not None else "").strip()
    if len(text) > max_length:
        raise ServiceError(f"Too long (at most {max_length} characters).", field=field)
    return text


def _clean_code(value: Any, field: str = "code") -> str:
    code = str(value if value is not None else "").strip()
    if not code:
        raise ServiceError("Give it a code.", field=field)
    if not CODE_RE.match(code):
        raise ServiceError(f"The code {code[:40]!r} is not valid: {CODE_HELP}.", field=field)
    return code


def _clean_choice(value: Any, choices: Any, field: str, *, blank: bool = False) -> str:
    text = str(value if value is not None else "").strip()
    if blank and text == "":
        return ""
    if text not in choices.values:
        allowed = ", ".join(choices.values)
        raise ServiceError(f"{text[:40]!r} is not one of: {allowed}.", field=field)
    return text


def _check_parent(
    *, account: Account | None, parent: Account | None, type_: str, field: str = "parent"
) -> None:
    """A parent has the same type, is not the account or one of its descendants, has no postings."""
    if parent is None:
        return
    if account is not None and parent.pk == account.pk:
        raise ServiceError("An account cannot be its own parent.", field=field)
    if parent.type != type_:
        raise ServiceError(
            f"The parent {parent} is a {parent.get_type_display().lower()} account; "
            f"the parent must be of the same type ({AccountType(type_).label.lower()}).",
            field=field,
        )
    if not parent.is_active:
        raise ServiceError(f"The parent {parent} is inactive.", field=field)
    if account is not None:
        seen = {account.pk}
        node: Account | None = parent
        while node is not None:
            if node.pk in seen:
                raise ServiceError(
                    f"{parent} is below {account} in the chart: that would make a loop.",
                    field=field,
                )
            seen.add(node.pk)
            node = Account.objects.filter(pk=node.parent_id).first() if node.parent_id else None
    if account_has_postings(parent):
        raise ServiceError(
            f"{parent} has postings, so it cannot become a header: choose another parent.",
            field=field,
        )


def _account_state(account: Account) -> dict[str, Any]:
    return {
        "number": account.number,
        "name": account.name,
        "type": account.type,
        "parent": account.parent.number if account.parent_id and account.parent else None,
        "net_asset_class": account.net_asset_class,
        "description": account.description,
        "is_cash": account.is_cash,
        "is_active": account.is_active,
    }


def _clean_is_cash(value: Any, type_: str) -> bool:
    """Only an asset account holds cash: a cash or bank account is one of them."""
    if not isinstance(value, bool):
        raise ServiceError("Say yes or no.", field="is_cash")
    if value and type_ != AccountType.ASSET:
        raise ServiceError("Only an asset account can be a cash or bank account.", field="is_cash")
    return value


@org_service("ledger.manage")
def account_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    number: str,
    name: str,
    type: str,
    parent: Account | None = None,
    net_asset_class: str = "",
    description: str = "",
    is_cash: bool = False,
) -> Account:
    """Add an account to the chart (`is_cash`: a cash or bank account, asset accounts only)."""
    number = clean_account_number(number)
    name = _clean_name(name)
    type_ = _clean_choice(type, AccountType, "type")
    is_cash = _clean_is_cash(is_cash, type_)
    net_asset_class = _clean_choice(net_asset_class, NetAssetClass, "net_asset_class", blank=True)
    description = _clean_text(description, "description")
    if parent is not None:
        _check_org(parent, organization)
    _check_parent(account=None, parent=parent, type_=type_)
    if Account.objects.filter(number=number).exists():
        raise ServiceError(f"There is already an account numbered {number}.", field="number")
    account = Account.objects.create(
        organization=organization,
        number=number,
        name=name,
        type=type_,
        parent=parent,
        net_asset_class=net_asset_class,
        description=description,
        is_cash=is_cash,
        updated_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="account.create",
        actor=actor,
        organization=organization,
        obj=account,
        changes=diff({}, _account_state(account)),
    )
    return account


def _renumber_account(account: Account, number: Any) -> list[str]:
    """Give the account a new number, unique in the chart; the fields that changed."""
    number = clean_account_number(number)
    if number == account.number:
        return []
    if Account.objects.filter(number=number).exclude(pk=account.pk).exists():
        raise ServiceError(f"There is already an account numbered {number}.", field="number")
    account.number = number
    return ["number"]


def _move_account(account: Account, parent: Account | None, organization: Organization) -> None:
    """Put the account under `parent` (None: at the top), checked when the parent changes."""
    if parent is not None:
        _check_org(parent, organization)
        if parent.pk != account.parent_id:
            _check_parent(account=account, parent=parent, type_=account.type)
    account.parent = parent


def _check_account_activation(account: Account, is_active: bool) -> None:
    """Refuse deactivating a role or a header with active sub-accounts, and activating an
    account whose parent is inactive."""
    if not is_active:
        if account.role:
            raise ServiceError(
                f"{account} is used by the ledger itself "
                f"({account.role.replace('_', ' ')}): it stays active.",
                field="is_active",
            )
        if Account.objects.filter(parent=account, is_active=True).exists():
            raise ServiceError(
                f"{account} has active sub-accounts: deactivate them first.",
                field="is_active",
            )
    elif (
        account.parent_id
        and not Account.objects.filter(pk=account.parent_id, is_active=True).exists()
    ):
        raise ServiceError("Its parent is inactive: activate the parent first.", field="is_active")


@org_service("ledger.manage")
def account_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    account: Account,
    expected_version: int,
    number: str | None = None,
    name: str | None = None,
    parent: Account | None = UNCHANGED,
    description: str | None = None,
    is_active: bool | None = None,
    net_asset_class: str | None = None,
    is_cash: bool | None = None,
) -> Account:
    """Rename, renumber, move under another header or (de)activate an account.

    A stale `expected_version` is a 409. An account with postings may be deactivated but
    never deleted; an account the posting services look up by role stays active.
    """
    _check_org(account, organization)
    account = Account.objects.select_related("parent").get(pk=account.pk)
    before = _account_state(account)
    fields: list[str] = []
    if number is not None:
        fields += _renumber_account(account, number)
    if name is not None:
        account.name = _clean_name(name)
        fields.append("name")
    if description is not None:
        account.description = _clean_text(description, "description")
        fields.append("description")
    if net_asset_class is not None:
        account.net_asset_class = _clean_choice(
            net_asset_class, NetAssetClass, "net_asset_class", blank=True
        )
        fields.append("net_asset_class")
    if parent is not UNCHANGED:
        _move_account(account, parent, organization)
        fields.append("parent")
    if is_cash is not None:
        account.is_cash = _clean_is_cash(is_cash, account.type)
        fields.append("is_cash")
    if is_active is not None and is_active != account.is_active:
        _check_account_activation(account, is_active)
        account.is_active = is_active
        fields.append("is_active")
    account.save_versioned(expected_version=expected_version, user=actor, fields=fields)
    changes = diff(before, _account_state(account))
    if changes:
        audit_record(
            action="account.update",
            actor=actor,
            organization=organization,
            obj=account,
            changes=changes,
        )
    return account


@org_service("ledger.manage")
def account_delete(
    *, organization: Organization, actor: User, access: Access | None, account: Account
) -> None:
    """Delete an account that was never used. Accounts with postings are deactivated instead."""
    _check_org(account, organization)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if account_has_postings(account):
        raise ServiceError(
            f"{account} has postings, so it cannot be deleted: deactivate it instead.",
            field="account",
        )
    if Account.objects.filter(parent=account).exists():
        raise ServiceError(
            f"{account} has sub-accounts: move or delete them first.", field="account"
        )
    if account.role:
        raise ServiceError(
            f"{account} is used by the ledger itself ({account.role.replace('_', ' ')}): "
            "it cannot be deleted.",
            field="account",
        )
    state = _account_state(account)
    pk = account.pk
    label = str(account)
    account.delete()
    audit_record(
        action="account.delete",
        actor=actor,
        organization=organization,
        object_type="ledger.account",
        object_id=pk,
        object_repr=label,
        changes=diff(state, {}),
    )


def _fund_state(fund: Fund) -> dict[str, Any]:
    return {
        "code": fund.code,
        "name": fund.name,
        "restriction": fund.restriction,
        "purpose": fund.purpose,
        "restricted_until": fund.restricted_until.isoformat() if fund.restricted_until else None,
        "is_active": fund.is_active,
    }


def _check_fund_restriction(restriction: str, purpose: str, restricted_until: date | None) -> None:
    if restriction == Restriction.PURPOSE and not purpose:
        raise ServiceError("Say what the restricted purpose is.", field="purpose")
    if restricted_until is not None and restriction != Restriction.TIME:
        raise ServiceError(
            "Only a time-restricted fund has a restricted-until date.", field="restricted_until"
        )


@org_service("ledger.manage")
def fund_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    code: str,
    name: str,
    restriction: str = Restriction.NONE,
    purpose: str = "",
    restricted_until: date | None = None,
) -> Fund:
    """Add a fund (a general fund exists from the start; there is only one)."""
    code = _clean_code(code)
    name = _clean_name(name)
    restriction = _clean_choice(restriction, Restriction, "restriction")
    purpose = _clean_text(purpose, "purpose")
    _check_fund_restriction(restriction, purpose, restricted_until)
    if Fund.objects.filter(code__iexact=code).exists():
        raise ServiceError(f"There is already a fund with the code {code}.", field="code")
    fund = Fund.objects.create(
        organization=organization,
        code=code,
        name=name,
        restriction=restriction,
        purpose=purpose,
        restricted_until=restricted_until,
        updated_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="fund.create",
        actor=actor,
        organization=organization,
        obj=fund,
        changes=diff({}, _fund_state(fund)),
    )
    return fund


def _recode_fund(fund: Fund, code: Any) -> list[str]:
    """Give the fund a new code, unique in any case; the fields that changed."""
    code = _clean_code(code)
    if code == fund.code:
        return []
    if Fund.objects.filter(code__iexact=code).exclude(pk=fund.pk).exists():
        raise ServiceError(f"There is already a fund with the code {code}.", field="code")
    fund.code = code
    return ["code"]


def _restrict_fund(fund: Fund, restriction: Any) -> list[str]:
    """Change the fund's restriction unless it is the general fund or has postings."""
    restriction = _clean_choice(restriction, Restriction, "restriction")
    if restriction == fund.restriction:
        return []
    if fund.is_general:
        raise ServiceError(
            "The general fund is without donor restrictions: it cannot be restricted.",
            field="restriction",
        )
    if JournalLine.objects.filter(fund_id=fund.pk).exists():
        raise ServiceError(
            f"{fund} has postings, so its restriction cannot change: release the "
            "restriction or move the balance to another fund instead.",
            field="restriction",
        )
    fund.restriction = restriction
    return ["restriction"]


@org_service("ledger.manage")
def fund_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    fund: Fund,
    expected_version: int,
    code: str | None = None,
    name: str | None = None,
    restriction: str | None = None,
    purpose: str | None = None,
    restricted_until: date | None = UNCHANGED,
    is_active: bool | None = None,
) -> Fund:
    """Change a fund. The general fund is never restricted or deactivated; a fund with
    postings keeps its restriction (release or reclassify instead)."""
    _check_org(fund, organization)
    fund = Fund.objects.get(pk=fund.pk)
    before = _fund_state(fund)
    fields: list[str] = []
    if code is not None:
        fields += _recode_fund(fund, code)
    if name is not None:
        fund.name = _clean_name(name)
        fields.append("name")
    if purpose is not None:
        fund.purpose = _clean_text(purpose, "purpose")
        fields.append("purpose")
    if restriction is not None:
        fields += _restrict_fund(fund, restriction)
    if restricted_until is not UNCHANGED:
        fund.restricted_until = restricted_until
        fields.append("restricted_until")
    if restriction is not None or purpose is not None or restricted_until is not UNCHANGED:
        _check_fund_restriction(fund.restriction, fund.purpose, fund.restricted_until)
    if is_active is not None and is_active != fund.is_active:
        if fund.is_general and not is_active:
            raise ServiceError("The general fund cannot be deactivated.", field="is_active")
        fund.is_active = is_active
        fields.append("is_active")
    fund.save_versioned(expected_version=expected_version, user=actor, fields=fields)
    changes = diff(before, _fund_state(fund))
    if changes:
        audit_record(
            action="fund.update",
            actor=actor,
            organization=organization,
            obj=fund,
            changes=changes,
        )
    return fund


def _program_state(program: Program) -> dict[str, Any]:
    return {"code": program.code, "name": program.name, "is_active": program.is_active}


@org_service("ledger.manage")
def program_create(
    *, organization: Organization, actor: User, access: Access | None, code: str, name: str
) -> Program:
    code = _clean_code(code)
    name = _clean_name(name)
    if Program.objects.filter(code__iexact=code).exists():
        raise ServiceError(f"There is already a program with the code {code}.", field="code")
    program = Program.objects.create(
        organization=organization,
        code=code,
        name=name,
        updated_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="program.create",
        actor=actor,
        organization=organization,
        obj=program,
        changes=diff({}, _program_state(program)),
    )
    return program


@org_service("ledger.manage")
def program_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    program: Program,
    expected_version: int,
    code: str | None = None,
    name: str | None = None,
    is_active: bool | None = None,
) -> Program:
    _check_org(program, organization)
    program = Program.objects.get(pk=program.pk)
    before = _program_state(program)
    fields: list[str] = []
    if code is not None:
        code = _clean_code(code)
        if code != program.code:
            if Program.objects.filter(code__iexact=code).exclude(pk=program.pk).exists():
                raise ServiceError(
                    f"There is already a program with the code {code}.", field="code"
                )
            program.code = code
            fields.append("code")
    if name is not None:
        program.name = _clean_name(name)
        fields.append("name")
    if is_active is not None:
        program.is_active = is_active
        fields.append("is_active")
    program.save_versioned(expected_version=expected_version, user=actor, fields=fields)
    changes = diff(before, _program_state(program))
    if changes:
        audit_record(
            action="program.update",
            actor=actor,
            organization=organization,
            obj=program,
            changes=changes,
        )
    return program
