"""The matching page of a bank account: its bank lines on the left (unmatched first, filtered,
paged by keyset), the selected line and its suggestions on the right.

The page stays fast on an account of any size: the list is one indexed range query, the
counts one GROUP BY over the status index, and suggestions are worked out for the selected
line only, never for every line shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from ifm.accounts.http import OrgRequest
from ifm.banking.matching import selectors
from ifm.banking.matching.forms import FindForm, LineFilterForm
from ifm.banking.matching.suggest import suggestions_for
from ifm.banking.matching.views.common import account_or_404
from ifm.banking.models import BankTransaction, LineStatus
from ifm.core import exports
from ifm.core.org_context import org_context
from ifm.tenancy.permissions import has_perm, require_perm

PAGE_SIZE = 50


@dataclass
class Window:
    rows: list[BankTransaction]
    newer: str | None  # cursor of the page before, or None on the first
    older: str | None


def _cursor(line: BankTransaction) -> str:
    return f"{line.date:%Y-%m-%d}_{line.pk}"


def _read_cursor(text: str) -> tuple[date, int] | None:
    day, _, pk = text.partition("_")
    try:
        on = date.fromisoformat(day)
        number = int(pk)
    except ValueError:
        return None
    if not 1 <= number < 2**63:
        return None
    return on, number


def _window(lines: QuerySet[BankTransaction], after: str, before: str) -> Window:
    """One page of lines, newest first, after or before a cursor (keyset: no OFFSET scans)."""
    older = _read_cursor(after) if after else None
    newer = _read_cursor(before) if before and not older else None
    if older is not None:
        on, pk = older
        rows = list(
            lines.filter(Q(date__lt=on) | Q(date=on, pk__lt=pk)).order_by("-date", "-id")[
                : PAGE_SIZE + 1
            ]
        )
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
        return Window(rows, _cursor(rows[0]) if rows else None, _cursor(rows[-1]) if more else None)
    if newer is not None:
        on, pk = newer
        rows = list(
            lines.filter(Q(date__gt=on) | Q(date=on, pk__gt=pk)).order_by("date", "id")[
                : PAGE_SIZE + 1
            ]
        )
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        return Window(
            rows, _cursor(rows[0]) if more and rows else None, _cursor(rows[-1]) if rows else None
        )
    rows = list(lines.order_by("-date", "-id")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return Window(rows, None, _cursor(rows[-1]) if more else None)


def _query(request: OrgRequest, **changes: Any) -> str:
    """The page's query string with some parameters changed (None drops one)."""
    params = {
        key: request.GET.get(key, "")[:100]
        for key in ("status", "q", "after", "before", "line", "find")
    }
    params.update(dict(changes.items()))
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else "?"


@login_required
def matching(request: OrgRequest, org_slug: str, bank_account_id: int) -> HttpResponse:
    require_perm(request.access, "banking.view")
    account = account_or_404(bank_account_id)
    form = LineFilterForm(request.GET or None)
    status, q = form.values() if form.is_bound else (LineStatus.UNMATCHED, "")
    lines = selectors.bank_lines(bank_account=account, status=status, q=q)
    window = _window(lines, request.GET.get("after", ""), request.GET.get("before", ""))
    selected = _selected(request, account.pk, window.rows)
    position = next(
        (i for i, row in enumerate(window.rows) if selected and row.pk == selected.pk), None
    )
    following = None
    if position is not None:
        neighbours = (
            window.rows[position + 1 : position + 2] or window.rows[max(0, position - 1) : position]
        )
        following = neighbours[0] if neighbours else None
    can_match = has_perm(request.access, "banking.match")
    find_form = FindForm(request.GET or None)
    found: list[Any] = []
    searched = False
    if selected is not None and selected.status == LineStatus.UNMATCHED and find_form.is_valid():
        text = find_form.cleaned_data["find"].strip()
        if text:
            searched = True
            found = selectors.ledger_line_search(bank_account=account, q=text, near=selected.date)
    match = selectors.match_of(selected) if selected is not None else None
    counts = selectors.status_counts(account)
    context = {
        "account": account,
        "form": form,
        "find_form": find_form,
        "status": status,
        "filtered": bool(q) or status != LineStatus.UNMATCHED,
        "window": window,
        "selected": selected,
        "suggestions": (
            suggestions_for(selected)
            if selected is not None and selected.status == LineStatus.UNMATCHED
            else []
        ),
        "found": found,
        "searched": searched,
        "match": match,
        "match_journal_lines": selectors.match_journal_lines(match) if match else [],
        "match_bank_lines": selectors.match_bank_lines(match) if match else [],
        "counts": counts,
        "counts_shown": {status: selectors.count_shown(n) for status, n in counts.items()},
        "can_match": can_match,
        "can_manage": has_perm(request.access, "banking.manage"),
        "here": request.get_full_path(),
        "next_url": request.path + _query(request, line=following.pk if following else None),
        "line_query": partial(_query, request),
        "newer_url": _query(request, before=window.newer, after=None, line=None)
        if window.newer
        else "",
        "older_url": _query(request, after=window.older, before=None, line=None)
        if window.older
        else "",
        "export_query": _query(request, after=None, before=None, line=None, find=None),
    }
    context["rows"] = [(row, _query(request, line=row.pk, find=None)) for row in window.rows]
    return render(request, "banking/matching/page.html", context)


def _selected(
    request: OrgRequest, account_id: int, rows: list[BankTransaction]
) -> BankTransaction | None:
    raw = request.GET.get("line", "")
    if not raw:
        return rows[0] if rows else None
    if not raw.isdigit() or len(raw) > 18:
        raise Http404("No such bank line.")
    line = BankTransaction.objects.filter(pk=int(raw), bank_account_id=account_id).first()
    if line is None:
        raise Http404("No such bank line.")
    return line


# --- Export ------------------------------------------------------------------------------------

HEADER = ["Date", "Amount", "Payee", "Memo", "Reference", "Status", "Matched how", "Cleared on"]


def _row(line: BankTransaction) -> list[Any]:
    match = line.match
    return [
        line.date,
        line.amount,
        line.payee,
        line.memo,
        line.reference,
        line.get_status_display(),
        match.get_via_display() if match else "",
        match.cleared_on if match else None,
    ]


@login_required
def matching_export(
    request: OrgRequest, org_slug: str, bank_account_id: int, fmt: str
) -> HttpResponseBase:
    require_perm(request.access, "banking.view")
    account = account_or_404(bank_account_id)
    form = LineFilterForm(request.GET or None)
    status, q = form.values() if form.is_bound else (LineStatus.UNMATCHED, "")
    lines = selectors.bank_lines(bank_account=account, status=status, q=q).select_related("match")
    filename = f"bank-lines-{request.org.slug}-{account.pk}-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return exports.csv_response(
            HEADER,
            lambda: (_row(line) for line in lines.iterator(chunk_size=2000)),
            filename=filename,
            scope=partial(org_context, request.org),
        )
    return exports.xlsx_response(
        HEADER,
        (_row(line) for line in lines.iterator(chunk_size=2000)),
        filename=filename,
        title="Bank lines",
    )
