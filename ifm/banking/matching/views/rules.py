"""Rule pages: the list (search, pages, export), new, edit, delete."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from ifm.accounts.http import OrgRequest
from ifm.banking.matching import rules, selectors
from ifm.banking.matching.forms import RuleFilterForm, RuleForm, add_service_errors
from ifm.banking.models import BankRule
from ifm.core import exports
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.org_context import org_context
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 25


def _rule_or_404(rule_id: int) -> BankRule:
    rule = selectors.rule_get(rule_id)
    if rule is None:
        raise Http404("No such rule.")
    return rule


def _list_url(request: OrgRequest) -> str:
    return reverse("banking:matching_rules", kwargs={"org_slug": request.org.slug})


def _filtered(request: OrgRequest) -> tuple[RuleFilterForm, Any]:
    form = RuleFilterForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    return form, selectors.rule_list(q=q)


@login_required
def rule_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "banking.view")
    form, found = _filtered(request)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(form.is_valid() and form.cleaned_data["q"]),
        "can_manage": has_perm(request.access, "banking.manage"),
        "accounts": selectors.bank_account_list(),
    }
    return render(request, "banking/matching/rules.html", context)


HEADER = [
    "Priority",
    "Name",
    "Active",
    "Bank account",
    "Payee contains",
    "Memo contains",
    "Direction",
    "Amount from",
    "Amount up to",
    "Account",
    "Fund",
    "Program",
    "Function",
    "Entry memo",
]


def _row(rule: BankRule) -> list[Any]:
    return [
        rule.priority,
        rule.name,
        "yes" if rule.is_active else "no",
        rule.bank_account.name if rule.bank_account else "All",
        rule.payee_contains,
        rule.memo_contains,
        rule.get_direction_display(),
        rule.amount_min,
        rule.amount_max,
        str(rule.account),
        str(rule.fund) if rule.fund else "",
        str(rule.program) if rule.program else "",
        rule.function,
        rule.memo,
    ]


@login_required
def rule_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "banking.view")
    _form, found = _filtered(request)
    filename = f"bank-rules-{request.org.slug}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.csv_response(
            HEADER,
            lambda: (_row(rule) for rule in found),
            filename=filename,
            scope=partial(org_context, request.org),
        )
    return exports.xlsx_response(HEADER, (_row(r) for r in found), filename=filename, title="Rules")


@login_required
def rule_new(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "banking.manage")
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = rules.bank_rule_create(
                organization=request.org,
                actor=request.user,
                access=request.access,
                **form.service_kwargs(),
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Rule {rule.name} saved.")
            return redirect(_list_url(request))
    status = 422 if request.method == "POST" else 200
    return render(
        request, "banking/matching/rule_form.html", {"form": form, "rule": None}, status=status
    )


@login_required
def rule_edit(request: OrgRequest, org_slug: str, rule_id: int) -> HttpResponse:
    require_perm(request.access, "banking.manage")
    rule = _rule_or_404(rule_id)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            rules.bank_rule_update(
                organization=request.org,
                actor=request.user,
                access=request.access,
                rule=rule,
                expected_version=form.cleaned_data.get("version") or rule.version,
                **form.service_kwargs(),
            )
        except ConflictError as exc:
            form.add_error(None, exc.message)
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Rule {rule.name} saved.")
            return redirect(_list_url(request))
    status = 422 if request.method == "POST" else 200
    return render(
        request, "banking/matching/rule_form.html", {"form": form, "rule": rule}, status=status
    )


@login_required
def rule_delete(request: OrgRequest, org_slug: str, rule_id: int) -> HttpResponse:
    require_perm(request.access, "banking.manage")
    rule = _rule_or_404(rule_id)
    if request.method == "POST":
        rules.bank_rule_delete(
            organization=request.org, actor=request.user, access=request.access, rule=rule
        )
        messages.success(request, f"Rule {rule.name} deleted.")
        return redirect(_list_url(request))
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(request, "banking/matching/rule_delete.html", {"rule": rule})
