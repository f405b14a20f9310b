"""Journal pages: the entry form (with its pickers and fragments), the journal, an entry."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Sum
from django.http import HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.accounts.http import OrgRequest
from ifm.core.errors import ServiceError
from ifm.core.pages import get_or_404, is_htmx_partial
from ifm.core.sorting import SortOptions
from ifm.ledger.journal import selectors
from ifm.ledger.journal.forms import (
    FUNCTION_CHOICES,
    EntryFilterForm,
    EntryForm,
    LineRow,
    ReverseForm,
    balance_of,
    map_line_errors,
    new_line,
    program_choices,
    read_lines,
)
from ifm.ledger.journal.posting import LineInput
from ifm.ledger.journal.services import journal_entry_create, journal_entry_reverse
from ifm.ledger.models import Account, Fund, JournalEntry, JournalLine, SourceType
from ifm.ledger.pages import table_export
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import require_perm

ENTRIES_PER_PAGE = 50


PICKER_LIMIT = 20


def _entry_context(
    request: OrgRequest,
    form: EntryForm,
    rows: list[LineRow],
    errors: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "form": form,
        "rows": rows,
        "balance": balance_of(rows),
        "entry_errors": errors or [],
        "programs": program_choices(),
        "functions": FUNCTION_CHOICES,
        "next_key": max((r.key for r in rows), default=-1) + 1,
    }


@login_required
def entry_create(request: OrgRequest, org_slug: str) -> HttpResponse:
    access = request.access
    require_perm(access, "ledger.post")
    if request.method != "POST":
        general = Fund.objects.filter(is_general=True).first()
        form = EntryForm(initial={"date": timezone.localdate()})
        rows = [new_line(0, general), new_line(1, general)]
        return render(request, "ledger/entry_form.html", _entry_context(request, form, rows))

    form = EntryForm(request.POST)
    rows = read_lines(request.POST)
    sent = [r for r in rows if not r.is_blank]
    errors: list[str] = []
    if form.is_valid() and not any(r.errors for r in rows):
        try:
            entry = journal_entry_create(
                organization=request.org,
                actor=request.user,
                access=access,
                date=form.cleaned_data["date"],
                memo=form.cleaned_data["memo"],
                reference=form.cleaned_data["reference"],
                lines=[
                    LineInput(
                        account=r.account_id or 0,
                        fund=r.fund_id or 0,
                        debit=r.debit,
                        credit=r.credit,
                        program=r.program_id,
                        function=r.function,
                        memo=r.memo,
                    )
                    for r in sent
                ],
            )
        except ServiceError as exc:
            for name, message in map_line_errors(exc, sent):
                if name in form.fields:
                    form.add_error(name, message)
                else:
                    errors.append(message)
        else:
            messages.success(request, f"Posted {entry}.")
            return redirect("ledger:ledger_entry_detail", org_slug=org_slug, entry_id=entry.pk)
    elif not form.errors:
        errors.append("Some lines have errors: see the messages beside them.")
    if not rows:
        rows = [new_line(0)]
    context = _entry_context(request, form, rows, errors)
    return render(request, "ledger/entry_form.html", context, status=422)


@login_required
def entry_balance(request: OrgRequest, org_slug: str) -> HttpResponse:
    """The balance indicator and Save button for the lines as they stand (htmx)."""
    require_perm(request.access, "ledger.post")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rows = read_lines(request.POST)
    return render(request, "ledger/_balance.html", {"balance": balance_of(rows)})


@login_required
def entry_line(request: OrgRequest, org_slug: str) -> HttpResponse:
    """A blank line for the entry form (htmx); its key follows the keys already on the page."""
    require_perm(request.access, "ledger.post")
    keys = [int(k) for k in request.GET.getlist("line") if k.isdigit() and len(k) < 6]
    general = Fund.objects.filter(is_general=True).first()
    return render(
        request,
        "ledger/_entry_line.html",
        {
            "row": new_line(max(keys, default=-1) + 1, general),
            "programs": program_choices(),
            "functions": FUNCTION_CHOICES,
        },
    )


def _picker_query(request: OrgRequest, prefix: str) -> str:
    query = str(request.GET.get("q", ""))
    if not query:
        for key in request.GET:
            value = str(request.GET.get(key, ""))
            if key.startswith(prefix) and value:
                query = value
                break
    return query.strip()[:100]


@login_required
def pick_accounts(request: OrgRequest, org_slug: str) -> HttpResponse:
    """<option>s for the account picker: active accounts that take postings, by number or name."""
    require_perm(request.access, "ledger.view")
    query = _picker_query(request, "account_text")
    accounts = Account.objects.filter(is_active=True).exclude(
        Exists(Account.objects.filter(parent=OuterRef("pk")))
    )
    if query:
        # A picked option reads "1010 Cash": search by its number, or by words of the name.
        token = query.split()[0]
        accounts = accounts.filter(
            Q(number__startswith=token) | Q(name__icontains=query) | Q(number=token)
        )
    options = [
        (a.pk, str(a), a.get_type_display()) for a in accounts.order_by("number")[:PICKER_LIMIT]
    ]
    return render(request, "ledger/_options.html", {"options": options})


@login_required
def pick_funds(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "ledger.view")
    query = _picker_query(request, "fund_text")
    funds = Fund.objects.filter(is_active=True)
    if query:
        token = query.split()[0]
        funds = funds.filter(Q(code__istartswith=token) | Q(name__icontains=query))
    options = [
        (f.pk, str(f), f.get_restriction_display()) for f in funds.order_by("code")[:PICKER_LIMIT]
    ]
    return render(request, "ledger/_options.html", {"options": options})


ENTRY_SORTS = SortOptions(
    {
        "entry": ("number",),
        "date": ("date", "number"),
        "memo": ("memo",),
        "reference": ("reference",),
        "source": ("source_type", "source_id"),
        "amount": ("total",),
    },
    descending_first={"entry", "date", "amount"},
    default="date",
    default_descending=True,
)


@login_required
def entry_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, "ledger.view")
    form = EntryFilterForm(request.GET or None)
    filters = form.valid_data()
    sorting = ENTRY_SORTS.read(request.GET)
    entries = selectors.entries_filtered(filters).annotate(total=Sum("lines__debit"))
    page = Paginator(sorting.apply(entries), ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form if form.is_bound else EntryFilterForm(),
        "page": page,
        "filtered": bool(filters),
        "sorting": sorting,
    }
    template = (
        "ledger/_entry_results.html" if is_htmx_partial(request) else "ledger/entry_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def entry_export(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(request.access, "ledger.view")
    org = request.org
    filters = EntryFilterForm(request.GET or None).valid_data()
    entry_ids = selectors.entries_filtered(filters).values("pk")

    def rows() -> Iterator[list[Any]]:
        lines = (
            JournalLine.objects.filter(entry_id__in=entry_ids)
            .select_related("entry", "account", "fund", "program")
            .order_by("date", "entry__number", "id")
        )
        for line in lines.iterator(chunk_size=2000):
            entry = line.entry
            yield [
                line.date.isoformat() if fmt == "csv" else line.date,
                f"JE-{entry.number}",
                entry.memo,
                entry.reference,
                entry.source_type,
                entry.source_id,
                line.account.number,
                line.account.name,
                line.fund.code,
                line.program.code if line.program else "",
                line.function,
                line.debit,
                line.credit,
                line.memo,
            ]

    return table_export(
        fmt,
        organization=org,
        filename=f"journal-{org.slug}-{timezone.localdate():%Y-%m-%d}",
        title="Journal",
        header=[
            "Date",
            "Entry",
            "Memo",
            "Reference",
            "Source type",
            "Source id",
            "Account",
            "Account name",
            "Fund",
            "Program",
            "Function",
            "Debit",
            "Credit",
            "Line memo",
        ],
        rows=rows,
    )


# Where a source type's record is shown: URL name and the keyword its id goes in. Other source
# types link when a module provides a page named "<source_type>_detail" taking "<source_type>_id".
SOURCE_URLS: dict[str, tuple[str, str | None]] = {
    SourceType.REVERSAL: ("ledger:ledger_entry_detail", "entry_id"),
    SourceType.CLOSING: ("ledger:ledger_periods", None),
}


def source_url(org: Organization, source_type: str, source_id: str) -> str | None:
    if not source_id:
        return None
    name, keyword = SOURCE_URLS.get(source_type, (f"{source_type}_detail", f"{source_type}_id"))
    kwargs: dict[str, Any] = {"org_slug": org.slug}
    if keyword:
        kwargs[keyword] = source_id
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _entry_or_404(entry_id: int) -> JournalEntry:
    return get_or_404(
        JournalEntry.objects.select_related("created_by", "period", "reverses"), entry_id, "entry"
    )


def _detail_context(
    request: OrgRequest, entry: JournalEntry, reverse_form: ReverseForm | None = None
) -> dict[str, Any]:
    lines = list(entry.lines.select_related("account", "fund", "program").order_by("id"))
    reversed_by = JournalEntry.objects.filter(reverses=entry).first()
    return {
        "entry": entry,
        "lines": lines,
        "total_debit": sum((line.debit for line in lines), Decimal("0.00")),
        "total_credit": sum((line.credit for line in lines), Decimal("0.00")),
        "reversed_by": reversed_by,
        "source_url": source_url(request.org, entry.source_type, entry.source_id),
        "can_reverse": reversed_by is None and entry.source_type != SourceType.REVERSAL,
        "reverse_form": reverse_form or ReverseForm(),
    }


@login_required
def entry_detail(request: OrgRequest, org_slug: str, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(entry_id)
    require_perm(request.access, "ledger.view")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "ledger/entry_detail.html", _detail_context(request, entry))


@login_required
def entry_reverse(request: OrgRequest, org_slug: str, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(entry_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_perm(request.access, "ledger.post")  # before reading the form: 403 beats 422
    form = ReverseForm(request.POST)
    error = None
    if form.is_valid():
        try:
            reversal = journal_entry_reverse(
                organization=request.org,
                actor=request.user,
                access=request.access,
                entry=entry,
                date=form.cleaned_data["date"],
                memo=form.cleaned_data["memo"],
            )
        except ServiceError as exc:
            if any(e.get("field") == "date" for e in exc.errors):
                form.add_error("date", exc.message)
            else:
                error = exc.message
        else:
            messages.success(request, f"Posted {reversal}, reversing {entry}.")
            return redirect("ledger:ledger_entry_detail", org_slug=org_slug, entry_id=reversal.pk)
    context = {**_detail_context(request, entry, form), "reverse_error": error}
    return render(request, "ledger/entry_detail.html", context, status=422)
