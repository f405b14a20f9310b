"""Matching rules: "payee contains X (memo contains Y, amount from A to B, deposits or
withdrawals) → post to this account, fund, program with this memo".

A rule creates the journal entry for a bank line that has none in the books (a bank fee,
interest, a transfer) and matches it. Rules run in priority order (lower first, then by name);
the first rule whose every test passes wins. Text tests are case-insensitive substring tests,
never regular expressions. `rules_apply` leaves alone every line that a suggestion matches
confidently: that line's money is in the books already.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from ifm.accounts.models import User
from ifm.audit.services import audit_record
from ifm.banking.accounts.access import banking_service
from ifm.banking.matching import suggest
from ifm.banking.matching.selectors import (
    active_funds,
    active_programs,
    bank_account_list,
    postable_accounts,
)
from ifm.banking.matching.services import post_line_entry
from ifm.banking.models import (
    BankAccount,
    BankRule,
    BankTransaction,
    Direction,
    LineStatus,
    MatchVia,
)
from ifm.core.errors import ServiceError
from ifm.core.lookups import as_id
from ifm.core.money import clean_money
from ifm.ledger.models import Function
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import Access

TEXT_LIMIT = 100
MEMO_LIMIT = 200
MAX_PRIORITY = 1_000_000


class Unset:
    """An argument that was not given (None is a value: "no fund")."""


UNSET: Any = Unset()


def rule_matches(rule: BankRule, line: BankTransaction) -> bool:
    """Every test the rule sets passes for the line."""
    if rule.bank_account_id is not None and rule.bank_account_id != line.bank_account_id:
        return False
    if rule.direction == Direction.IN and line.amount <= 0:
        return False
    if rule.direction == Direction.OUT and line.amount >= 0:
        return False
    size = abs(line.amount)
    if rule.amount_min is not None and size < rule.amount_min:
        return False
    if rule.amount_max is not None and size > rule.amount_max:
        return False
    if rule.payee_contains and rule.payee_contains.casefold() not in line.payee.casefold():
        return False
    return not (rule.memo_contains and rule.memo_contains.casefold() not in line.memo.casefold())


def first_rule(rules: list[BankRule], line: BankTransaction) -> BankRule | None:
    return next((rule for rule in rules if rule_matches(rule, line)), None)


def active_rules(bank_account: BankAccount) -> list[BankRule]:
    return list(
        BankRule.objects.filter(is_active=True)
        .filter(Q(bank_account=bank_account) | Q(bank_account__isnull=True))
        .order_by("priority", "name", "id")
    )


# --- Checking what a rule says -----------------------------------------------------------------


def _text(value: Any, field_name: str, limit: int) -> str:
    text = " ".join(str(value or "").split())
    if len(text) > limit:
        raise ServiceError(f"At most {limit} characters.", field=field_name)
    return text


def _pick(qs: Any, value: Any, field_name: str, message: str) -> Any:
    if value is None or value == "":
        return None
    pk = as_id(value)
    row = qs.filter(pk=pk).first() if pk is not None else None
    if row is None:
        raise ServiceError(message, field=field_name)
    return row


def _amount(value: Any, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    return clean_money(value, field_name, allow_zero=True)


def _checks(values: dict[str, Any], *, exclude_id: int | None) -> dict[str, Any]:
    """Each given field checked; every error at once, each naming its field."""
    checks = {
        "name": lambda v: _name(v, exclude_id),
        "priority": _priority,
        "is_active": _bool,
        "bank_account": lambda v: _pick(
            bank_account_list(),
            v,
            "bank_account_id",
            "Choose an active bank account, or none for all.",
        ),
        "payee_contains": lambda v: _text(v, "payee_contains", TEXT_LIMIT),
        "memo_contains": lambda v: _text(v, "memo_contains", TEXT_LIMIT),
        "direction": _direction,
        "amount_min": lambda v: _amount(v, "amount_min"),
        "amount_max": lambda v: _amount(v, "amount_max"),
        "account": lambda v: _pick(
            postable_accounts(),
            v,
            "account_id",
            "Choose an active account of this organization without sub-accounts.",
        ),
        "fund": lambda v: _pick(active_funds(), v, "fund_id", "Choose an active fund, or none."),
        "program": lambda v: _pick(
            active_programs(), v, "program_id", "Choose an active program, or none."
        ),
        "function": _function,
        "memo": lambda v: _text(v, "memo", MEMO_LIMIT),
    }
    cleaned: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for name, value in values.items():
        try:
            cleaned[name] = checks[name](value)
        except ServiceError as exc:
            errors.extend(exc.errors or [{"field": name, "message": exc.message}])
    if errors:
        raise ServiceError(
            "The rule has errors: " + "; ".join(e["message"] for e in errors), errors=errors
        )
    return cleaned


def _name(value: Any, exclude_id: int | None) -> str:
    text = _text(value, "name", 100)
    if not text:
        raise ServiceError("Give the rule a name (such as Bank fees).", field="name")
    clash = BankRule.objects.filter(name__iexact=text)
    if exclude_id is not None:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ServiceError(f"There is already a rule named {text}.", field="name")
    return text


def _priority(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_PRIORITY:
        raise ServiceError(
            f"A whole number from 0 to {MAX_PRIORITY} (lower runs first).", field="priority"
        )
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ServiceError("Say whether the rule is active (true or false).", field="is_active")
    return value


def _direction(value: Any) -> str:
    if value not in Direction.values:
        raise ServiceError(
            "Choose deposits only (in), withdrawals only (out), or both (any).", field="direction"
        )
    return str(value)


def _function(value: Any) -> str:
    if value in (None, ""):
        return ""
    if value not in Function.values:
        raise ServiceError(
            "Choose program services, management and general, or fundraising.", field="function"
        )
    return str(value)


def _whole(rule_values: dict[str, Any]) -> None:
    """Rules about the rule as a whole, once every field is known."""
    low, high = rule_values.get("amount_min"), rule_values.get("amount_max")
    if low is not None and high is not None and low > high:
        raise ServiceError("The smallest amount is above the largest.", field="amount_max")
    if not (
        rule_values.get("payee_contains")
        or rule_values.get("memo_contains")
        or low is not None
        or high is not None
    ):
        raise ServiceError(
            "Say which lines the rule is for: a payee or memo text, or an amount range.",
            field="payee_contains",
        )
    if rule_values.get("account") is None:
        raise ServiceError("Choose the account the entry posts to.", field="account_id")


def _as_json(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    return value.pk if hasattr(value, "pk") else str(value)


_FIELDS = (
    "name",
    "priority",
    "is_active",
    "bank_account",
    "payee_contains",
    "memo_contains",
    "direction",
    "amount_min",
    "amount_max",
    "account",
    "fund",
    "program",
    "function",
    "memo",
)


@banking_service("banking.manage")
def bank_rule_create(
    *,
    organization: Organization,
    actor: User | None,
    name: str,
    account: Any,
    payee_contains: str = "",
    memo_contains: str = "",
    direction: str = Direction.ANY,
    amount_min: Any = None,
    amount_max: Any = None,
    fund: Any = None,
    program: Any = None,
    function: str = "",
    memo: str = "",
    priority: int = 100,
    is_active: bool = True,
    bank_account: Any = None,
    access: Access | None = None,
) -> BankRule:
    given = {name_: value for name_, value in locals().items() if name_ in _FIELDS}
    values = _checks(given, exclude_id=None)
    _whole(values)
    rule = BankRule.objects.create(organization=organization, updated_by=actor, **values)
    audit_record(
        action="bank_rule.create",
        actor=actor,
        organization=organization,
        obj=rule,
        changes={k: _as_json(v) for k, v in values.items()},
    )
    return rule


@banking_service("banking.manage")
def bank_rule_update(
    *,
    organization: Organization,
    actor: User | None,
    rule: BankRule,
    expected_version: int,
    access: Access | None = None,
    **changes: Any,
) -> BankRule:
    """Change the fields given (others stay); a stale version is a 409."""
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise ServiceError(f"Unknown field {unknown[0]}.", field=unknown[0])
    values = _checks(changes, exclude_id=rule.pk)
    before = {name: _as_json(getattr(rule, name)) for name in values}
    for name, value in values.items():
        setattr(rule, name, value)
    _whole({name: getattr(rule, name) for name in _FIELDS})
    rule.save_versioned(expected_version=expected_version, user=actor, fields=list(values))
    rule.refresh_from_db()
    audit_record(
        action="bank_rule.update",
        actor=actor,
        organization=organization,
        obj=rule,
        changes={
            name: {"before": before[name], "after": _as_json(value)}
            for name, value in values.items()
            if before[name] != _as_json(value)
        },
    )
    return rule


@banking_service("banking.manage")
def bank_rule_delete(
    *,
    organization: Organization,
    actor: User | None,
    rule: BankRule,
    access: Access | None = None,
) -> None:
    """Delete a rule; the matches it made keep their entries (and no longer name it)."""
    audit_record(
        action="bank_rule.delete",
        actor=actor,
        organization=organization,
        obj=rule,
        changes={"name": rule.name},
    )
    rule.delete()


# --- Applying the rules ------------------------------------------------------------------------


@dataclass
class RulesResult:
    created: int = 0
    skipped: list[str] = field(default_factory=list)  # lines a rule fits but could not post


@banking_service("banking.match")
def rules_run(
    *,
    organization: Organization,
    actor: User | None,
    bank_account: BankAccount,
    access: Access | None = None,
) -> RulesResult:
    """Create the entry of every unmatched line that no suggestion matches confidently and
    that a rule fits. A line whose entry cannot be posted (a closed period, an account made
    inactive since) is skipped and named; the others are created."""
    result = RulesResult()
    rules = active_rules(bank_account)
    if not rules:
        return result
    lines = list(
        BankTransaction.objects.filter(
            bank_account=bank_account, status=LineStatus.UNMATCHED
        ).order_by("date", "id")
    )
    fitting = [(line, first_rule(rules, line)) for line in lines]
    fitting = [(line, rule) for line, rule in fitting if rule is not None]
    if not fitting:
        return result
    confident = suggest.confident_picks(suggest.suggest_all(bank_account, limit=2))
    for line, rule in fitting:
        if line.pk in confident or rule is None:
            continue
        try:
            with transaction.atomic():
                post_line_entry(
                    organization=organization,
                    actor=actor,
                    bank_line=line,
                    account=rule.account_id,
                    fund=rule.fund_id,
                    program=rule.program_id,
                    function=rule.function,
                    memo=rule.memo,
                    via=MatchVia.RULE,
                    rule=rule,
                )
        except ServiceError as exc:
            result.skipped.append(f"{line}: {exc.message}")
            continue
        result.created += 1
    audit_record(
        action="bank_rule.apply",
        actor=actor,
        organization=organization,
        obj=bank_account,
        changes={"created": result.created, "skipped": len(result.skipped)},
    )
    return result


def rules_apply(
    *,
    organization: Organization,
    actor: User | None,
    bank_account: BankAccount,
    access: Access | None = None,
) -> int:
    """Apply the rules to the account's unmatched lines; answers how many entries were made."""
    return rules_run(
        organization=organization, actor=actor, bank_account=bank_account, access=access
    ).created


def rules_preview(bank_account: BankAccount) -> int:
    """How many unmatched lines a rule fits now (before confident suggestions are left out)."""
    rules = active_rules(bank_account)
    if not rules:
        return 0
    lines = BankTransaction.objects.filter(bank_account=bank_account, status=LineStatus.UNMATCHED)
    return sum(1 for line in lines.iterator() if first_rule(rules, line) is not None)
