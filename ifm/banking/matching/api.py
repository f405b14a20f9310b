"""/api/v1 banking: matching. Suggestions for a bank line, matching and unmatching, entries
from lines, rules and applying them, accepting every confident suggestion.

Reads need `banking.view`; matching `banking.match`; changing rules `banking.manage`. Another
organization's bank line, account or rule is a 404."""

from typing import Annotated, Any

from django.http import Http404
from ninja import Path, Query, Router
from ninja.responses import Status as HttpStatus

from ifm.accounts.http import OrgRequest
from ifm.banking.matching import rules, selectors, services
from ifm.banking.matching.schemas import (
    ApplyRulesOut,
    CountOut,
    CreateEntryIn,
    MatchIn,
    MatchOut,
    RuleIn,
    RuleOut,
    RulePatchIn,
    SuggestionOut,
    UnmatchedLineOut,
    UnmatchIn,
)
from ifm.banking.matching.suggest import Suggestion, suggestions_for
from ifm.banking.models import BankAccount, BankRule, BankTransaction, Match, MatchLine
from ifm.core.api import MAX_ID, ApiError, idempotent, paginated
from ifm.tenancy.permissions import require_perm

router = Router(tags=["matching"])

BankTransactionId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
BankAccountId = Annotated[int, Path(..., ge=1, le=MAX_ID)]
RuleId = Annotated[int, Path(..., ge=1, le=MAX_ID)]


def _line(bank_transaction_id: int) -> BankTransaction:
    line = selectors.bank_line_get(bank_transaction_id)
    if line is None:
        raise Http404
    return line


def _account(bank_account_id: int) -> BankAccount:
    account = selectors.bank_account_get(bank_account_id)
    if account is None:
        raise Http404
    return account


def _rule(rule_id: int) -> BankRule:
    rule = selectors.rule_get(rule_id)
    if rule is None:
        raise Http404
    return rule


def _suggestion_out(s: Suggestion) -> dict[str, Any]:
    return {
        "journal_lines": [
            {
                "id": c.id,
                "journal_entry_id": c.entry_id,
                "entry_number": c.entry_number,
                "date": c.date,
                "amount": f"{c.amount:.2f}",
                "memo": c.memo,
                "entry_memo": c.entry_memo,
                "reference": c.reference,
            }
            for c in s.journal_lines
        ],
        "other_bank_transaction_ids": s.other_bank_line_ids,
        "other_bank_transactions": [
            {"id": b.id, "date": b.date, "amount": f"{b.amount:.2f}", "payee": b.payee}
            for b in s.other_bank_lines
        ],
        "score": s.score,
        "reasons": s.reasons,
        "confident": s.confident,
    }


def _match_out(match: Match) -> dict[str, Any]:
    links = list(
        MatchLine.objects.filter(match=match)
        .order_by("journal_line_id")
        .values_list("journal_line_id", "journal_line__entry_id")
    )
    return {
        "id": match.pk,
        "bank_account_id": match.bank_account_id,
        "via": match.via,
        "cleared_on": match.cleared_on,
        "rule_id": match.rule_id,
        "bank_transaction_ids": list(
            BankTransaction.objects.filter(match=match).order_by("pk").values_list("pk", flat=True)
        ),
        "journal_line_ids": [line_id for line_id, _entry in links],
        "journal_entry_ids": sorted({entry for _line_id, entry in links}),
        "created_at": match.created_at,
    }


@router.get(
    "/bank-transactions/{int:bank_transaction_id}/suggestions",
    response=list[SuggestionOut],
    summary="Suggested ledger lines for a bank line",
)
def bank_transaction_suggestions(
    request: OrgRequest,
    bank_transaction_id: BankTransactionId,
    limit: Annotated[int, Query(ge=1, le=20, description="At most this many, best first.")] = 5,
) -> Any:
    require_perm(request.access, "banking.view")
    return [_suggestion_out(s) for s in suggestions_for(_line(bank_transaction_id), limit=limit)]


@router.post(
    "/bank-transactions/{int:bank_transaction_id}/match",
    response={201: MatchOut},
    summary="Match a bank line (and others) to ledger lines",
)
@idempotent
def bank_transaction_match(
    request: OrgRequest, bank_transaction_id: BankTransactionId, payload: MatchIn
) -> Any:
    require_perm(request.access, "banking.match")
    line = _line(bank_transaction_id)
    wanted = [pk for pk in dict.fromkeys(payload.other_bank_transaction_ids) if pk != line.pk]
    others = {
        other.pk: other
        for other in BankTransaction.objects.filter(
            pk__in=wanted, bank_account_id=line.bank_account_id
        )
    }
    missing = [
        {
            "field": f"other_bank_transaction_ids.{i}",
            "message": "No such bank line of this account.",
        }
        for i, pk in enumerate(payload.other_bank_transaction_ids)
        if pk != line.pk and pk not in others
    ]
    if missing:
        raise ApiError(422, "Some bank lines are not lines of this bank account.", errors=missing)
    match = services.match_lines(
        organization=request.org,
        actor=request.user,
        access=request.access,
        bank_lines=[line, *others.values()],
        journal_line_ids=list(payload.journal_line_ids),
    )
    return HttpStatus(201, _match_out(match))


@router.post(
    "/bank-transactions/{int:bank_transaction_id}/unmatch",
    response=UnmatchedLineOut,
    summary="Undo the match a bank line is in (a reason is required)",
)
@idempotent
def bank_transaction_unmatch(
    request: OrgRequest, bank_transaction_id: BankTransactionId, payload: UnmatchIn
) -> Any:
    require_perm(request.access, "banking.match")
    line = _line(bank_transaction_id)
    services.unmatch(
        organization=request.org,
        actor=request.user,
        access=request.access,
        bank_line=line,
        reason=payload.reason,
    )
    return BankTransaction.objects.get(pk=line.pk)


@router.post(
    "/bank-transactions/{int:bank_transaction_id}/create-entry",
    response={201: MatchOut},
    summary="Post an entry for a bank line and match it",
)
@idempotent
def bank_transaction_create_entry(
    request: OrgRequest, bank_transaction_id: BankTransactionId, payload: CreateEntryIn
) -> Any:
    require_perm(request.access, "banking.match")
    match = services.create_entry_from_line(
        organization=request.org,
        actor=request.user,
        access=request.access,
        bank_line=_line(bank_transaction_id),
        account=payload.account_id,
        fund=payload.fund_id,
        program=payload.program_id,
        function=payload.function.value if payload.function else "",
        memo=payload.memo,
    )
    return HttpStatus(201, _match_out(match))


@router.post(
    "/bank-accounts/{int:bank_account_id}/apply-rules",
    response=ApplyRulesOut,
    summary="Create entries for the unmatched lines the rules fit",
)
@idempotent
def bank_account_apply_rules(request: OrgRequest, bank_account_id: BankAccountId) -> Any:
    require_perm(request.access, "banking.match")
    result = rules.rules_run(
        organization=request.org,
        actor=request.user,
        access=request.access,
        bank_account=_account(bank_account_id),
    )
    return {"created": result.created, "skipped": result.skipped}


@router.post(
    "/bank-accounts/{int:bank_account_id}/accept-confident",
    response=CountOut,
    summary="Accept every confident suggestion of a bank account",
)
@idempotent
def bank_account_accept_confident(request: OrgRequest, bank_account_id: BankAccountId) -> Any:
    require_perm(request.access, "banking.match")
    count = services.accept_confident(
        organization=request.org,
        actor=request.user,
        access=request.access,
        bank_account=_account(bank_account_id),
    )
    return {"count": count}


# --- Rules -------------------------------------------------------------------------------------


@router.get("/bank-rules", response=list[RuleOut], summary="List matching rules")
@paginated("priority", "name")
def bank_rule_list(
    request: OrgRequest,
    q: Annotated[str, Query(max_length=100, description="Name, texts or account.")] = "",
) -> Any:
    require_perm(request.access, "banking.view")
    return selectors.rule_list(q=q)


@router.post("/bank-rules", response={201: RuleOut}, summary="Create a matching rule")
@idempotent
def bank_rule_create(request: OrgRequest, payload: RuleIn) -> Any:
    data = payload.dict()
    rule = rules.bank_rule_create(
        organization=request.org,
        actor=request.user,
        access=request.access,
        name=data["name"],
        account=data["account_id"],
        priority=data["priority"],
        is_active=data["is_active"],
        bank_account=data["bank_account_id"],
        payee_contains=data["payee_contains"],
        memo_contains=data["memo_contains"],
        direction=str(data["direction"]),
        amount_min=data["amount_min"],
        amount_max=data["amount_max"],
        fund=data["fund_id"],
        program=data["program_id"],
        function=str(data["function"] or ""),
        memo=data["memo"],
    )
    return HttpStatus(201, rule)


@router.get("/bank-rules/{int:rule_id}", response=RuleOut, summary="Get a matching rule")
def bank_rule_get(request: OrgRequest, rule_id: RuleId) -> Any:
    require_perm(request.access, "banking.view")
    return _rule(rule_id)


_IDS = {
    "account_id": "account",
    "bank_account_id": "bank_account",
    "fund_id": "fund",
    "program_id": "program",
}
# Null clears these; for the others null means "unchanged".
_CLEARABLE = {"bank_account_id", "fund_id", "program_id", "amount_min", "amount_max", "function"}


@router.patch("/bank-rules/{int:rule_id}", response=RuleOut, summary="Change a matching rule")
def bank_rule_update(request: OrgRequest, rule_id: RuleId, payload: RulePatchIn) -> Any:
    require_perm(request.access, "banking.manage")
    rule = _rule(rule_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    fields: dict[str, Any] = {}
    for name, value in changes.items():
        if value is None and name not in _CLEARABLE:
            continue
        if name in ("direction", "function"):
            value = str(value or "") if name == "function" else str(value)
        fields[_IDS.get(name, name)] = value
    return rules.bank_rule_update(
        organization=request.org,
        actor=request.user,
        access=request.access,
        rule=rule,
        expected_version=version,
        **fields,
    )


@router.delete("/bank-rules/{int:rule_id}", response={204: None}, summary="Delete a matching rule")
def bank_rule_delete(request: OrgRequest, rule_id: RuleId) -> Any:
    require_perm(request.access, "banking.manage")
    rules.bank_rule_delete(
        organization=request.org, actor=request.user, access=request.access, rule=_rule(rule_id)
    )
    return HttpStatus(204, None)
