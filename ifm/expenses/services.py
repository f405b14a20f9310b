"""Writes of an expense's draft (create, update) and of the organization's expense settings,
and what the other writes share: checking the input, locking the row, recording events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date as date_type
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.lookups import resolve
from ifm.core.money import clean_money
from ifm.expenses import selectors
from ifm.expenses.models import Expense, ExpenseEvent, ExpenseSettings, Function, Kind, Status
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access, org_service


class UNSET:
    """Marks an argument that was not given (None is a value: "clear the program")."""


class StateError(ServiceError):
    """The expense is not in a state that allows this (409)."""

    status = 409


def valid_date(value: Any, field: str) -> date_type:
    if not isinstance(value, date_type):
        raise ServiceError("Give a date as YYYY-MM-DD.", field=field)
    today = timezone.localdate()
    if value < today - timedelta(days=3660) or value > today + timedelta(days=366):
        raise ServiceError(
            "The date must be within the last ten years and at most a year ahead.", field=field
        )
    return value


def _clean_kind(v: Any) -> str:
    if v not in Kind.values:
        raise ServiceError("Choose a claim or a bill.", field="kind")
    return str(v)


def _clean_payee(v: Any) -> str:
    text = " ".join(str(v or "").split())
    if not text:
        raise ServiceError("Say who is paid: the person or the vendor.", field="payee")
    if len(text) > 200:
        raise ServiceError("At most 200 characters.", field="payee")
    return text


def _clean_function(v: Any) -> str:
    if v is None or v == "":
        return ""  # the category's default applies (see _apply_category)
    if v not in Function.values:
        raise ServiceError(
            "Choose program services, management and general, or fundraising.",
            field="function",
        )
    return str(v)


def _clean_description(v: Any) -> str:
    text = str(v or "").strip()
    if len(text) > 2000:
        raise ServiceError("At most 2000 characters.", field="description")
    return text


def _optional(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A check that lets a blank value (None or "") through as None."""
    return lambda v: None if v is None or v == "" else fn(v)


def _resolver(queryset: Callable[[], Any], field: str, message: str) -> Callable[[Any], Any]:
    """A check that finds the given id or object in `queryset()` (evaluated at check time)."""
    return lambda v: resolve(queryset(), v, field, message)


# The editable fields in the order their errors are reported, each with its check.
_FIELD_CHECKS: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("kind", _clean_kind),
    ("payee", _clean_payee),
    ("date", lambda v: valid_date(v, "date")),
    ("function", _clean_function),
    ("description", _clean_description),
    ("amount", _optional(lambda v: clean_money(v, "amount"))),
    (
        "expense_category",
        _optional(
            _resolver(
                selectors.active_categories,
                "expense_category_id",
                "Choose one of the organization's active expense categories, or Other.",
            )
        ),
    ),
    (
        "category",
        _optional(
            _resolver(
                selectors.expense_categories,
                "category_id",
                "Choose an active expense account of this organization (not a header).",
            )
        ),
    ),
    (
        "fund",
        _optional(
            _resolver(
                selectors.active_funds, "fund_id", "Choose an active fund of this organization."
            )
        ),
    ),
    (
        "program",
        _optional(
            _resolver(
                selectors.active_programs,
                "program_id",
                "Choose an active program of this organization, or none.",
            )
        ),
    ),
)


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Check the editable fields given in `values`; every error at once, each naming its field."""
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for field, check in _FIELD_CHECKS:
        if field not in values:
            continue
        try:
            cleaned[field] = check(values[field])
        except ServiceError as exc:
            errors.extend(exc.errors or [{"field": field, "message": exc.message}])
    if errors:
        raise ServiceError(
            "The expense has errors: " + "; ".join(e["message"] for e in errors), errors=errors
        )
    return cleaned


def _apply_category(values: dict[str, Any], current: Expense | None = None) -> dict[str, Any]:
    """A chosen category decides the ledger account and, unless a function is given, the
    function. An account given without a category is "Other": the category is cleared (unless
    the expense's category already maps to that account)."""
    category = values.get("expense_category")
    if category is not None:
        account = values.get("category")
        if account is not None and account.pk != category.account_id:
            raise ServiceError(
                f"The category {category.name} decides the account: choose Other to pick an "
                "account from the chart.",
                field="category_id",
            )
        values["category"] = category.account
        if not values.get("function"):
            values["function"] = category.default_function
    elif "expense_category" not in values and values.get("category") is not None:
        kept = current is not None and current.expense_category is not None
        if not (kept and current.expense_category.account_id == values["category"].pk):  # type: ignore[union-attr]
            values["expense_category"] = None
    return values


def require_owner(expense: Expense, actor: User, what: str) -> None:
    if expense.submitted_by_id != actor.pk:
        raise PermissionDenied(f"Only the person who entered the expense may {what} it.")


def lock(expense: Expense, expected_version: int | None = None) -> Expense:
    """The expense re-read under a row lock; a stale `expected_version` is a 409."""
    fresh = (
        Expense.objects.select_for_update(of=("self",))
        .select_related("category", "expense_category", "fund", "program", "submitted_by")
        .get(pk=expense.pk)
    )
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError(
            changed_by=str(fresh.updated_by) if fresh.updated_by else None,
            changed_at=fresh.updated_at,
        )
    return fresh


def record_event(
    *,
    organization: Organization,
    actor: User,
    expense: Expense,
    from_status: str,
    to_status: str,
    action: str,
    note: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    ExpenseEvent.objects.create(
        expense=expense,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        from_status=from_status,
        to_status=to_status,
        note=note[:2000],
    )
    all_changes: dict[str, Any] = {}
    if from_status != to_status:
        all_changes["status"] = {"before": from_status or None, "after": to_status}
    all_changes.update(changes or {})
    audit_record(
        action=action, actor=actor, organization=organization, obj=expense, changes=all_changes
    )


def as_json(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    if hasattr(value, "pk"):
        return value.pk
    return str(value)


@org_service("expenses.submit")
def expense_create(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    kind: str,
    payee: str,
    date: date_type,
    function: str = "",
    amount: Decimal | str | None = None,
    expense_category: Any = None,
    category: Any = None,
    fund: Any = None,
    program: Any = None,
    description: str = "",
) -> Expense:
    """A new draft claim or bill of the acting person. Amount, category and fund may wait.

    `expense_category` is finance's plain-name category (it sets the account and, when no
    function is given, the function); `category` is a ledger expense account ("Other")."""
    values = clean_values(
        {
            "kind": kind,
            "payee": payee,
            "date": date,
            "function": function,
            "amount": amount,
            "expense_category": expense_category,
            "category": category,
            "fund": fund,
            "program": program,
            "description": description,
        }
    )
    values = _apply_category(values)
    expense = Expense.objects.create(
        organization=organization,
        submitted_by=actor,
        updated_by=actor,
        status=Status.DRAFT,
        **values,
    )
    record_event(
        organization=organization,
        actor=actor,
        expense=expense,
        from_status="",
        to_status=Status.DRAFT,
        action="expense.create",
        changes={k: as_json(v) for k, v in values.items()},
    )
    return expense


@org_service("expenses.submit")
def expense_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    expense: Expense,
    expected_version: int,
    kind: Any = UNSET,
    payee: Any = UNSET,
    date: Any = UNSET,
    function: Any = UNSET,
    amount: Any = UNSET,
    expense_category: Any = UNSET,
    category: Any = UNSET,
    fund: Any = UNSET,
    program: Any = UNSET,
    description: Any = UNSET,
) -> Expense:
    """Change a draft (its owner only). Fields left UNSET stay; a stale version is a 409."""
    require_owner(expense, actor, "edit")
    expense = lock(expense, expected_version)
    if expense.status != Status.DRAFT:
        raise StateError(
            f"Only a draft can be edited; this expense is {expense.get_status_display().lower()}."
        )
    given = {
        name: value
        for name, value in {
            "kind": kind,
            "payee": payee,
            "date": date,
            "function": function,
            "amount": amount,
            "expense_category": expense_category,
            "category": category,
            "fund": fund,
            "program": program,
            "description": description,
        }.items()
        if value is not UNSET
    }
    values = _apply_category(clean_values(given), expense)
    changes = {}
    for name, value in values.items():
        before = getattr(expense, name)
        if as_json(before) != as_json(value):
            changes[name] = {"before": as_json(before), "after": as_json(value)}
        setattr(expense, name, value)
    if not changes:
        return expense
    expense.save_versioned(expected_version=expected_version, user=actor, fields=list(values))
    audit_record(
        action="expense.update",
        actor=actor,
        organization=organization,
        obj=expense,
        changes=changes,
    )
    return expense


@org_service("expenses.configure")
def expense_settings_update(
    *,
    organization: Organization,
    actor: User,
    access: Access | None,
    two_step_threshold: Decimal | str,
    expected_version: int,
) -> ExpenseSettings:
    """Change the amount above which an expense needs a second approval, by an admin."""
    threshold = clean_money(two_step_threshold, "two_step_threshold", allow_zero=True)
    row, _ = ExpenseSettings.objects.get_or_create(organization=organization)
    before = row.two_step_threshold
    row.two_step_threshold = threshold
    row.save_versioned(expected_version=expected_version, user=actor, fields=["two_step_threshold"])
    audit_record(
        action="expense_settings.update",
        actor=actor,
        organization=organization,
        obj=row,
        changes={"two_step_threshold": {"before": str(before), "after": str(threshold)}},
    )
    return row
