"""The expense categories finance defines: a plain name staff choose ("Office supplies"), mapped
to a ledger expense account and a default function. Staff never see the account; "Other" on the
form offers the chart to those who need an account no category covers.

A category that expenses name is never deleted (their history keeps naming it): it is
deactivated, and staff no longer see it.
"""

from __future__ import annotations

from typing import Any

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ServiceError
from ifm.core.lookups import resolve
from ifm.expenses import selectors
from ifm.expenses.models import ExpenseCategory, Function
from ifm.expenses.services import UNSET, StateError, as_json
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service


def _clean_name(value: Any, *, exclude_id: int | None = None) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ServiceError("Give the category a name staff will recognise.", field="name")
    if len(text) > 100:
        raise ServiceError("At most 100 characters.", field="name")
    clash = ExpenseCategory.objects.filter(name__iexact=text)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ServiceError(f"There is already a category named {text}.", field="name")
    return text


def _clean_account(value: Any) -> Any:
    return resolve(
        selectors.expense_categories(),
        value,
        "account_id",
        "Choose an active expense account of this organization (not a header).",
    )


def _clean_default_function(value: Any) -> str:
    if value not in Function.values:
        raise ServiceError(
            "Choose program services, management and general, or fundraising.",
            field="default_function",
        )
    return str(value)


def _clean_active(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ServiceError("Say whether the category is active (true or false).", field="is_active")
    return value


def _collect(checks: dict[str, Any]) -> dict[str, Any]:
    """Run each (field -> thunk) check; every error at once, each naming its field."""
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for field, check in checks.items():
        try:
            cleaned[field] = check()
        except ServiceError as exc:
            errors.extend(exc.errors or [{"field": field, "message": exc.message}])
    if errors:
        raise ServiceError(
            "The category has errors: " + "; ".join(e["message"] for e in errors), errors=errors
        )
    return cleaned


@org_service("expenses.categories")
def expense_category_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    name: str,
    account: Any,
    default_function: str,
    is_active: bool = True,
) -> ExpenseCategory:
    values = _collect(
        {
            "name": lambda: _clean_name(name),
            "account": lambda: _clean_account(account),
            "default_function": lambda: _clean_default_function(default_function),
            "is_active": lambda: _clean_active(is_active),
        }
    )
    category = ExpenseCategory.objects.create(organization=organization, updated_by=actor, **values)
    audit_record(
        action="expense_category.create",
        actor=actor,
        organization=organization,
        obj=category,
        changes={k: as_json(v) for k, v in values.items()},
    )
    return category


@org_service("expenses.categories")
def expense_category_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    category: ExpenseCategory,
    expected_version: int,
    name: Any = UNSET,
    account: Any = UNSET,
    default_function: Any = UNSET,
    is_active: Any = UNSET,
) -> ExpenseCategory:
    """Rename, remap or (de)activate a category. Expenses already posted keep their account:
    a new account applies to drafts and expenses entered from now on."""
    checks = {
        "name": lambda: _clean_name(name, exclude_id=category.pk),
        "account": lambda: _clean_account(account),
        "default_function": lambda: _clean_default_function(default_function),
        "is_active": lambda: _clean_active(is_active),
    }
    given = {"name": name, "account": account, "default_function": default_function}
    given["is_active"] = is_active
    values = _collect({k: v for k, v in checks.items() if given[k] is not UNSET})
    changes = {}
    for field, value in values.items():
        before = getattr(category, field)
        if as_json(before) != as_json(value):
            changes[field] = {"before": as_json(before), "after": as_json(value)}
        setattr(category, field, value)
    if not changes:
        return category
    category.save_versioned(expected_version=expected_version, user=actor, fields=list(values))
    audit_record(
        action="expense_category.update",
        actor=actor,
        organization=organization,
        obj=category,
        changes=changes,
    )
    return category


@org_service("expenses.categories")
def expense_category_delete(
    *, organization: Organization, actor: User, access: Access | None, category: ExpenseCategory
) -> None:
    """Delete a category no expense names yet; one in use is deactivated instead (409)."""
    if category.expenses.exists():
        raise StateError(
            f"{category.name} is named by expenses, so it stays in their history: deactivate it "
            "instead and staff no longer see it."
        )
    audit_record(
        action="expense_category.delete",
        actor=actor,
        organization=organization,
        obj=category,
        changes={"name": {"before": category.name}},
    )
    category.delete()
