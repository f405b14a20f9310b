"""Registry of tenant rows for the isolation tests: how to make one row of each tenant model.

`FACTORIES["app_label.modelname"](org)` creates one row owned by `org` and returns it.
Register a factory for every tenant model a URL takes the id of:

    @factory("donors.donor")
    def _donor(org):
        with org_context(org):
            return Donor.objects.create(organization=org, name="Row of " + org.slug)

The isolation suite (test_isolation.py) maps each id in a route to a model:
`<model>_id` / `<model>_pk` by the model's lowercased class name, or through the registries
below when the name does not say which model it is.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from ifm.tenancy.context import all_organizations, org_context
from ifm.tenancy.models import Organization

Factory = Callable[[Organization], models.Model]
FACTORIES: dict[str, Factory] = {}

# A route parameter whose name does not name its model: parameter name -> model label.
PARAM_MODELS: dict[str, str] = {
    "token_id": "accounts.apitoken",
}

# Routes with a bare `<id>` / `<pk>` / `{id}`: route prefix (converters dropped, so
# "o/<org_slug>/donors/") -> model label. The longest matching prefix wins.
BARE_ID_ROUTES: dict[str, str] = {}

# Routes outside the organization walls on purpose: route prefix -> why.
EXEMPT_ROUTES: dict[str, str] = {
    "admin/": "Django admin: IFM platform staff only, across organizations by design.",
    "platform/": "Platform pages: IFM platform staff only, across organizations by design.",
}

# Values for route parameters that are neither the organization slug nor an object id.
PARAM_VALUES: dict[str, str] = {}


def factory(label: str) -> Callable[[Factory], Factory]:
    def register(func: Factory) -> Factory:
        FACTORIES[label] = func
        return func

    return register


def _user(org: Organization, what: str) -> Any:
    from django.contrib.auth import get_user_model

    email = f"{what}-{secrets.token_hex(4)}@{org.slug}.test"
    return get_user_model().objects.create_user(email=email, full_name=f"{what} of {org.slug}")


@factory("tenancy.membership")
def _membership(org: Organization) -> models.Model:
    from ifm.tenancy.roles import Role
    from ifm.tenancy.services import membership_set

    return membership_set(organization=org, user=_user(org, "member"), role=Role.STAFF)


@factory("tenancy.platformaccessgrant")
def _platform_grant(org: Organization) -> models.Model:
    from ifm.tenancy.models import PlatformAccessGrant

    user = _user(org, "support")
    user.is_platform_staff = True
    user.save(update_fields=["is_platform_staff"])
    with org_context(org):
        return PlatformAccessGrant.objects.create(
            user=user, role="viewer", reason="test", expires_at=timezone.now() + timedelta(hours=1)
        )


@factory("accounts.invitation")
def _invitation(org: Organization) -> models.Model:
    from ifm.accounts.models import Invitation

    with org_context(org):
        return Invitation.objects.create(
            email=f"invitee-{secrets.token_hex(4)}@example.org",
            role="staff",
            token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
            expires_at=timezone.now() + timedelta(days=1),
        )


@factory("accounts.apitoken")
def _api_token(org: Organization) -> models.Model:
    from ifm.accounts.models import ApiToken

    membership = _membership(org)
    token = "ifm_" + secrets.token_urlsafe(32)
    with all_organizations():
        return ApiToken.objects.create(
            organization=org,
            user=membership.user,  # type: ignore[attr-defined]
            name="isolation",
            prefix=token[:12],
            token_hash=hashlib.sha256(token.encode()).hexdigest(),
        )


@factory("core.idempotencyrecord")
def _idempotency_record(org: Organization) -> models.Model:
    from ifm.core.models import IdempotencyRecord

    membership = _membership(org)
    with org_context(org):
        return IdempotencyRecord.objects.create(
            user=membership.user,  # type: ignore[attr-defined]
            key=secrets.token_hex(8),
            method="POST",
            path="/api/v1/test",
            request_hash="0" * 64,
        )


# --- ledger ------------------------------------------------------------------------------------
# Every organization gets its chart, general fund and current fiscal year when it is created.


def _ledger(org: Organization, label: str) -> models.Model:
    from datetime import date
    from decimal import Decimal

    from ifm.ledger import models as ledger
    from ifm.ledger.services import LineInput, chart_create_from_template, post_entry

    chart_create_from_template(organization=org)
    with org_context(org):
        general = ledger.Fund.objects.get(is_general=True)
        rows: dict[str, Callable[[], models.Model]] = {
            "account": lambda: ledger.Account.objects.get(number="1010"),
            "fund": lambda: general,
            "program": lambda: ledger.Program.objects.create(
                code=secrets.token_hex(3), name="Program"
            ),
            "fiscalyear": lambda: ledger.FiscalYear.objects.earliest("start_date"),
            "period": lambda: ledger.Period.objects.earliest("start_date"),
            "ledgercounter": lambda: ledger.LedgerCounter.objects.get(),
        }
        if label in rows:
            return rows[label]()
        entry = post_entry(
            organization=org,
            actor=None,
            date=date.today(),
            lines=[
                LineInput(
                    ledger.Account.objects.get(number="1010"), general, debit=Decimal("1.00")
                ),
                LineInput(
                    ledger.Account.objects.get(number="4010"), general, credit=Decimal("1.00")
                ),
            ],
        )
        return entry if label == "journalentry" else entry.lines.first()  # type: ignore[return-value]


for _name in (
    "account",
    "fund",
    "program",
    "fiscalyear",
    "period",
    "ledgercounter",
    "journalentry",
    "journalline",
):
    FACTORIES[f"ledger.{_name}"] = lambda org, _n=_name: _ledger(org, _n)  # type: ignore[misc]
PARAM_MODELS["entry_id"] = "ledger.journalentry"


@factory("audit.auditevent")
def _audit_event(org: Organization) -> models.Model:
    from ifm.audit.services import audit_record

    with org_context(org):
        return audit_record(action="test.row", organization=org, object_repr=f"Row of {org.slug}")


# --- expenses ----------------------------------------------------------------------------------
# A receipt goes on the organization's newest expense, so a route that takes both an expense id
# and a receipt id (made in that order) gets a receipt of that expense.


def _expense_row(org: Organization) -> Any:
    from datetime import date
    from decimal import Decimal

    from ifm.expenses.models import Expense
    from ifm.ledger.services import chart_create_from_template

    chart_create_from_template(organization=org)
    with org_context(org):
        from django.apps import apps

        return Expense.objects.create(
            submitted_by=_membership(org).user,  # type: ignore[attr-defined]
            kind="claim",
            payee="Row of " + org.slug,
            date=date.today(),
            amount=Decimal("12.34"),
            category=apps.get_model("ledger", "Account").objects.get(number="8110"),
            fund=apps.get_model("ledger", "Fund").objects.get(is_general=True),
            function="program",
        )


@factory("expenses.expense")
def _expense(org: Organization) -> models.Model:
    return _expense_row(org)


@factory("expenses.receipt")
def _receipt(org: Organization) -> models.Model:
    from django.core.files.base import ContentFile

    from ifm.expenses.models import Expense, Receipt

    with org_context(org):
        expense = Expense.objects.order_by("-pk").first() or _expense_row(org)
        content = b"%PDF-1.4\n%%EOF\n"
        receipt = Receipt(
            organization=org,
            expense=expense,
            original_name="receipt.pdf",
            content_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
        )
        receipt.file.save("receipt.pdf", ContentFile(content), save=False)
        receipt.save()
        return receipt


@factory("expenses.expenseapproval")
def _expense_approval(org: Organization) -> models.Model:
    from ifm.expenses.models import ExpenseApproval

    expense = _expense_row(org)
    with org_context(org):
        return ExpenseApproval.objects.create(
            expense=expense,
            approver=_membership(org).user,  # type: ignore[attr-defined]
            step=1,
        )


@factory("expenses.expenseevent")
def _expense_event(org: Organization) -> models.Model:
    from ifm.expenses.models import ExpenseEvent

    expense = _expense_row(org)
    with org_context(org):
        return ExpenseEvent.objects.create(expense=expense, to_status="draft")


@factory("expenses.expensesettings")
def _expense_settings(org: Organization) -> models.Model:
    from ifm.expenses.models import ExpenseSettings

    with org_context(org):
        row, _ = ExpenseSettings.objects.get_or_create(organization=org)
        return row
