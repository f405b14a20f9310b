"""What the matching page does: accept a suggestion or match by hand, unmatch with a reason,
create an entry from a line, accept every confident suggestion, apply the rules. Each works
as a plain form; the page's script only adds keys to reach them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ifm.accounts.http import OrgRequest
from ifm.banking.matching import rules, services
from ifm.banking.matching.forms import EntryForm, UnmatchForm, add_service_errors
from ifm.banking.matching.views.common import account_or_404, back_to, line_or_404, matching_url
from ifm.banking.models import BankTransaction, LineStatus
from ifm.core.errors import ServiceError
from ifm.core.pages import error_text
from ifm.tenancy.permissions import require_perm

MAX_IDS = 500


def _ids(values: list[str]) -> list[int] | None:
    """Whole numbers from a form's repeated field, or None when one is not."""
    out = []
    for value in values[: MAX_IDS + 1]:
        if not value.isdigit() or len(value) > 18:
            return None
        out.append(int(value))
    return out


@login_required
@require_http_methods(["POST"])
def matching_match(
    request: OrgRequest, org_slug: str, bank_transaction_id: int
) -> HttpResponseBase:
    require_perm(request.access, "banking.match")
    line = line_or_404(bank_transaction_id)
    here = matching_url(request, line.bank_account_id, line.pk)
    journal_ids = _ids(request.POST.getlist("journal_line_ids"))
    other_ids = _ids(request.POST.getlist("other_bank_transaction_ids"))
    if journal_ids is None or other_ids is None:
        messages.error(request, "Choose ledger lines from the list.")
        return redirect(here)
    others = list(
        BankTransaction.objects.filter(pk__in=other_ids, bank_account_id=line.bank_account_id)
    )
    if len(others) != len(set(other_ids)):
        messages.error(request, "The other bank lines must be lines of this bank account.")
        return redirect(here)
    try:
        services.match_lines(
            organization=request.org,
            actor=request.user,
            access=request.access,
            bank_lines=[line, *others],
            journal_line_ids=journal_ids,
            via="suggestion" if request.POST.get("via") == "suggestion" else "manual",
        )
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return redirect(here)
    messages.success(request, f"Matched the bank line of {line.date:%Y-%m-%d}, {line.amount}.")
    return redirect(back_to(request, here))


@login_required
def matching_unmatch(request: OrgRequest, org_slug: str, bank_transaction_id: int) -> HttpResponse:
    require_perm(request.access, "banking.match")
    line = line_or_404(bank_transaction_id)
    here = matching_url(request, line.bank_account_id, line.pk)
    form = UnmatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unmatch(
                organization=request.org,
                actor=request.user,
                access=request.access,
                bank_line=line,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The match is undone; its lines are unmatched again.")
            return redirect(back_to(request, here))
    elif request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    status = 422 if request.method == "POST" else 200
    context = {"line": line, "form": form, "back": here, "next": back_to(request, here)}
    return render(request, "banking/matching/unmatch.html", context, status=status)


@login_required
def matching_create_entry(
    request: OrgRequest, org_slug: str, bank_transaction_id: int
) -> HttpResponse:
    require_perm(request.access, "banking.match")
    line = line_or_404(bank_transaction_id)
    here = matching_url(request, line.bank_account_id, line.pk)
    form = EntryForm(request.POST or None, initial={"memo": line.payee or line.memo})
    if request.method == "POST" and form.is_valid():
        try:
            match = services.create_entry_from_line(
                organization=request.org,
                actor=request.user,
                access=request.access,
                bank_line=line,
                **form.service_kwargs(),
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            del match
            messages.success(request, "The entry is posted and matched to the bank line.")
            return redirect(back_to(request, here))
    elif request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    status = 422 if request.method == "POST" else 200
    context = {
        "line": line,
        "account": line.bank_account,
        "form": form,
        "back": here,
        "next": back_to(request, here),
        "is_unmatched": line.status == LineStatus.UNMATCHED,
    }
    return render(request, "banking/matching/create_entry.html", context, status=status)


@login_required
def matching_accept_confident(
    request: OrgRequest, org_slug: str, bank_account_id: int
) -> HttpResponse:
    """A confirmation page that says how many lines would be matched; POST matches them."""
    require_perm(request.access, "banking.match")
    account = account_or_404(bank_account_id)
    here = matching_url(request, account.pk)
    if request.method == "POST":
        try:
            count = services.accept_confident(
                organization=request.org,
                actor=request.user,
                access=request.access,
                bank_account=account,
            )
        except ServiceError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"Matched {count} bank line{'s' if count != 1 else ''}.")
        return redirect(here)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    count = services.confident_count(account)
    return render(
        request,
        "banking/matching/accept_confident.html",
        {"account": account, "count": count, "back": here},
    )


@login_required
def matching_apply_rules(request: OrgRequest, org_slug: str, bank_account_id: int) -> HttpResponse:
    """A confirmation page with the number of lines the rules fit; POST creates the entries."""
    require_perm(request.access, "banking.match")
    account = account_or_404(bank_account_id)
    here = matching_url(request, account.pk)
    if request.method == "POST":
        try:
            result = rules.rules_run(
                organization=request.org,
                actor=request.user,
                access=request.access,
                bank_account=account,
            )
        except ServiceError as exc:
            messages.error(request, error_text(exc))
            return redirect(here)
        made = result.created
        messages.success(request, f"The rules created {made} entr{'ies' if made != 1 else 'y'}.")
        for problem in result.skipped[:10]:
            messages.warning(request, f"Skipped {problem}")
        return redirect(here)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {
        "account": account,
        "count": rules.rules_preview(account),
        "rule_count": len(rules.active_rules(account)),
        "back": here,
    }
    return render(request, "banking/matching/apply_rules.html", context)
