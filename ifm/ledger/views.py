"""The ledger pages, under /o/<org_slug>/ledger/. Thin: they read forms and call services."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
)
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from ifm.core import exports
from ifm.core.errors import ServiceError
from ifm.core.org_context import org_context
from ifm.core.pages import access_of, get_or_404, is_htmx_partial, org_of
from ifm.ledger import selectors
from ifm.ledger.forms import (
    FUNCTION_CHOICES,
    AccountLedgerForm,
    EntryFilterForm,
    EntryForm,
    FundBalancesForm,
    LineRow,
    ReopenForm,
    ReverseForm,
    TrialBalanceForm,
    balance_of,
    map_line_errors,
    new_line,
    program_choices,
    read_lines,
)
from ifm.ledger.models import (
    Account,
    AccountType,
    FiscalYear,
    Fund,
    JournalEntry,
    JournalLine,
    Period,
    Restriction,
    SourceType,
)
from ifm.ledger.services import (
    LineInput,
    fiscal_year_close,
    fund_release,
    journal_entry_create,
    journal_entry_reverse,
    period_close,
    period_reopen,
)
from ifm.tenancy.models import Organization
from ifm.tenancy.permissions import require_perm

ENTRIES_PER_PAGE = 50
LEDGER_LINES_PER_PAGE = 100
PICKER_LIMIT = 20


# --- Exports -------------------------------------------------------------------------------------


def table_export(
    fmt: str,
    *,
    organization: Organization,
    filename: str,
    title: str,
    header: list[str],
    rows: Callable[[], Iterable[list[Any]]],
) -> HttpResponseBase:
    """A table as streamed CSV or as XLSX. `rows` is called inside the organization's scope
    (the CSV is written after the view returned)."""
    if fmt == "csv":
        return exports.csv_response(
            header, rows, filename=filename, scope=partial(org_context, organization)
        )
    with org_context(organization):
        return exports.xlsx_response(header, rows(), filename=filename, title=title)


# --- Manual journal entry ------------------------------------------------------------------------


def _entry_context(
    request: HttpRequest,
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
def entry_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    access = access_of(request)
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
                organization=org_of(request),
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
            return redirect("ledger_entry_detail", org_slug=org_slug, entry_id=entry.pk)
    elif not form.errors:
        errors.append("Some lines have errors: see the messages beside them.")
    if not rows:
        rows = [new_line(0)]
    context = _entry_context(request, form, rows, errors)
    return render(request, "ledger/entry_form.html", context, status=422)


@login_required
def entry_balance(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The balance indicator and Save button for the lines as they stand (htmx)."""
    require_perm(access_of(request), "ledger.post")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rows = read_lines(request.POST)
    return render(request, "ledger/_balance.html", {"balance": balance_of(rows)})


@login_required
def entry_line(request: HttpRequest, org_slug: str) -> HttpResponse:
    """A blank line for the entry form (htmx); its key follows the keys already on the page."""
    require_perm(access_of(request), "ledger.post")
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


def _picker_query(request: HttpRequest, prefix: str) -> str:
    query = str(request.GET.get("q", ""))
    if not query:
        for key in request.GET:
            value = str(request.GET.get(key, ""))
            if key.startswith(prefix) and value:
                query = value
                break
    return query.strip()[:100]


@login_required
def pick_accounts(request: HttpRequest, org_slug: str) -> HttpResponse:
    """<option>s for the account picker: active accounts that take postings, by number or name."""
    require_perm(access_of(request), "ledger.view")
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
def pick_funds(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "ledger.view")
    query = _picker_query(request, "fund_text")
    funds = Fund.objects.filter(is_active=True)
    if query:
        token = query.split()[0]
        funds = funds.filter(Q(code__istartswith=token) | Q(name__icontains=query))
    options = [
        (f.pk, str(f), f.get_restriction_display()) for f in funds.order_by("code")[:PICKER_LIMIT]
    ]
    return render(request, "ledger/_options.html", {"options": options})


# --- Journal -------------------------------------------------------------------------------------


def _entries(filters: dict[str, Any]) -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.all()
    if filters.get("date_from"):
        entries = entries.filter(date__gte=filters["date_from"])
    if filters.get("date_to"):
        entries = entries.filter(date__lte=filters["date_to"])
    if filters.get("source_type"):
        entries = entries.filter(source_type=filters["source_type"])
    for name in ("account", "fund"):
        if filters.get(name):
            entries = entries.filter(
                Exists(
                    JournalLine.objects.filter(
                        entry=OuterRef("pk"), **{f"{name}_id": filters[name]}
                    )
                )
            )
    query = (filters.get("q") or "").strip()
    if query:
        match = Q(memo__icontains=query) | Q(reference__icontains=query) | Q(source_id=query)
        number = query.upper().removeprefix("JE-")
        if number.isdigit() and len(number) < 10:
            match |= Q(number=int(number))
        entries = entries.filter(match)
    return entries.order_by("-date", "-number")


@login_required
def entry_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "ledger.view")
    form = EntryFilterForm(request.GET or None)
    filters = form.valid_data()
    entries = _entries(filters).annotate(total=Sum("lines__debit"))
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form if form.is_bound else EntryFilterForm(),
        "page": page,
        "filtered": bool(filters),
    }
    template = (
        "ledger/_entry_results.html" if is_htmx_partial(request) else "ledger/entry_list.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def entry_export(request: HttpRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(access_of(request), "ledger.view")
    org = org_of(request)
    filters = EntryFilterForm(request.GET or None).valid_data()
    entry_ids = _entries(filters).values("pk")

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
    SourceType.REVERSAL: ("ledger_entry_detail", "entry_id"),
    SourceType.CLOSING: ("ledger_periods", None),
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
    request: HttpRequest, entry: JournalEntry, reverse_form: ReverseForm | None = None
) -> dict[str, Any]:
    lines = list(entry.lines.select_related("account", "fund", "program").order_by("id"))
    reversed_by = JournalEntry.objects.filter(reverses=entry).first()
    return {
        "entry": entry,
        "lines": lines,
        "total_debit": sum((line.debit for line in lines), Decimal("0.00")),
        "total_credit": sum((line.credit for line in lines), Decimal("0.00")),
        "reversed_by": reversed_by,
        "source_url": source_url(org_of(request), entry.source_type, entry.source_id),
        "can_reverse": reversed_by is None and entry.source_type != SourceType.REVERSAL,
        "reverse_form": reverse_form or ReverseForm(),
    }


@login_required
def entry_detail(request: HttpRequest, org_slug: str, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(entry_id)
    require_perm(access_of(request), "ledger.view")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "ledger/entry_detail.html", _detail_context(request, entry))


@login_required
def entry_reverse(request: HttpRequest, org_slug: str, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(entry_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_perm(access_of(request), "ledger.post")  # before reading the form: 403 beats 422
    form = ReverseForm(request.POST)
    error = None
    if form.is_valid():
        try:
            reversal = journal_entry_reverse(
                organization=org_of(request),
                actor=request.user,
                access=access_of(request),
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
            return redirect("ledger_entry_detail", org_slug=org_slug, entry_id=reversal.pk)
    context = {**_detail_context(request, entry, form), "reverse_error": error}
    return render(request, "ledger/entry_detail.html", context, status=422)


# --- Reports -------------------------------------------------------------------------------------


@login_required
def trial_balance(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "ledger.view")
    form = TrialBalanceForm(request.GET or None)
    as_of, fund_id = form.values()
    report = selectors.trial_balance(as_of=as_of, fund_id=fund_id)
    fund = Fund.objects.filter(pk=fund_id).first() if fund_id else None
    return render(
        request,
        "ledger/trial_balance.html",
        {
            "form": form if form.is_bound else TrialBalanceForm(initial={"as_of": as_of}),
            "report": report,
            "rows": [
                (row, dict(AccountType.choices).get(row.type, row.type)) for row in report.rows
            ],
            "fund": fund,
            "balanced": report.total_debit == report.total_credit,
        },
    )


@login_required
def trial_balance_export(request: HttpRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    require_perm(access_of(request), "ledger.view")
    org = org_of(request)
    as_of, fund_id = TrialBalanceForm(request.GET or None).values()
    report = selectors.trial_balance(as_of=as_of, fund_id=fund_id)
    types = dict(AccountType.choices)

    def rows() -> Iterator[list[Any]]:
        for row in report.rows:
            yield [row.number, row.name, types.get(row.type, row.type), row.debit, row.credit]
        yield ["", "Total", "", report.total_debit, report.total_credit]

    suffix = f"-fund{fund_id}" if fund_id else ""
    return table_export(
        fmt,
        organization=org,
        filename=f"trial-balance-{org.slug}-{as_of:%Y-%m-%d}{suffix}",
        title="Trial balance",
        header=["Account", "Name", "Type", "Debit", "Credit"],
        rows=rows,
    )


@login_required
def account_ledger(request: HttpRequest, org_slug: str, account_id: int) -> HttpResponse:
    account = get_or_404(Account.objects.select_related("parent"), account_id, "account")
    require_perm(access_of(request), "ledger.view")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    form = AccountLedgerForm(request.GET or None)
    filters = form.valid_data()
    opening, lines = selectors.account_ledger(
        account=account,
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        fund_id=filters.get("fund"),
    )
    sign = 1 if AccountType(account.type).normal_debit else -1
    page = Paginator(lines, LEDGER_LINES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {"line": line, "balance": opening + sign * line.running}  # type: ignore[attr-defined]
        for line in page
    ]
    closing = rows[-1]["balance"] if rows else opening
    return render(
        request,
        "ledger/account_ledger.html",
        {
            "account": account,
            "form": form if form.is_bound else AccountLedgerForm(),
            "opening": opening,
            "rows": rows,
            "page": page,
            "closing": closing,
            "normal_side": "debit" if sign == 1 else "credit",
            "filtered": bool(filters),
        },
    )


@login_required
def fund_balances(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "ledger.view")
    form = FundBalancesForm(request.GET or None)
    as_of = form.value()
    rows = selectors.fund_balances(as_of=as_of)
    return render(
        request,
        "ledger/fund_balances.html",
        {
            "form": form if form.is_bound else FundBalancesForm(initial={"as_of": as_of}),
            "as_of": as_of,
            "rows": rows,
            "total": sum((Decimal(str(r["balance"])) for r in rows), Decimal("0.00")),
            "restrictions": dict(Restriction.choices),
        },
    )


# --- Periods -------------------------------------------------------------------------------------


@login_required
def periods(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "ledger.view")
    years = list(
        FiscalYear.objects.select_related("closing_entry")
        .prefetch_related("periods__closed_by")
        .order_by("-start_date")
    )
    return render(
        request,
        "ledger/periods.html",
        {"years": years, "reopen_form": ReopenForm(), "today": timezone.localdate()},
    )


def _period_action(
    request: HttpRequest, org_slug: str, period_id: int, action: str
) -> HttpResponse:
    period = get_or_404(Period.objects.select_related("fiscal_year"), period_id, "period")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_perm(access_of(request), "ledger.close_periods")
    common = {"organization": org_of(request), "actor": request.user, "access": access_of(request)}
    try:
        if action == "close":
            period_close(period=period, **common)
            messages.success(request, f"Closed {period.name}: it takes no more entries.")
        else:
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            period_reopen(period=period, reason=reason, **common)
            messages.success(request, f"Reopened {period.name}.")
    except ServiceError as exc:
        messages.error(request, f"{period.name}: {exc.message}")
    return redirect(
        reverse("ledger_periods", kwargs={"org_slug": org_slug}) + f"#fy-{period.fiscal_year_id}"
    )


@login_required
def period_close_view(request: HttpRequest, org_slug: str, period_id: int) -> HttpResponse:
    return _period_action(request, org_slug, period_id, "close")


@login_required
def period_reopen_view(request: HttpRequest, org_slug: str, period_id: int) -> HttpResponse:
    return _period_action(request, org_slug, period_id, "reopen")


@login_required
def fiscal_year_close_view(
    request: HttpRequest, org_slug: str, fiscal_year_id: int
) -> HttpResponse:
    fiscal_year = get_or_404(FiscalYear.objects.all(), fiscal_year_id, "fiscal year")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    require_perm(access_of(request), "ledger.close_periods")
    try:
        entry = fiscal_year_close(
            organization=org_of(request),
            actor=request.user,
            access=access_of(request),
            fiscal_year=fiscal_year,
        )
    except ServiceError as exc:
        messages.error(request, f"{fiscal_year.name}: {exc.message}")
    else:
        closing = (
            f" with the closing entry {entry}" if entry else " (nothing to close into net assets)"
        )
        messages.success(request, f"Closed {fiscal_year.name}{closing}.")
    return redirect(
        reverse("ledger_periods", kwargs={"org_slug": org_slug}) + f"#fy-{fiscal_year.pk}"
    )


# --- Chart of accounts, funds, programs ----------------------------------------------------------


def _chart_rows(filters: dict[str, str]) -> list[dict[str, Any]]:
    """Accounts in tree order (each after its parent), with their depth; filtered rows keep
    their ancestors so the tree still reads."""
    accounts = list(Account.objects.order_by("number"))
    children: dict[int | None, list[Account]] = {}
    for account in accounts:
        children.setdefault(account.parent_id, []).append(account)
    ids = {a.pk for a in accounts}
    ordered: list[tuple[Account, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for child in children.get(parent, []):
            ordered.append((child, depth))
            walk(child.pk, depth + 1)

    walk(None, 0)
    for orphan in [a for a in accounts if a.parent_id is not None and a.parent_id not in ids]:
        ordered.append((orphan, 0))  # defensive: a parent outside the scope
    query = filters.get("q", "").lower()

    def matches(a: Account) -> bool:
        if query and query not in f"{a.number} {a.name}".lower():
            return False
        if filters.get("type") and a.type != filters["type"]:
            return False
        status = filters.get("status")
        return not (status == "active" and not a.is_active) and not (
            status == "inactive" and a.is_active
        )

    by_id = {a.pk: a for a in accounts}
    keep: set[int] = set()
    for account in accounts:
        if matches(account):
            node: Account | None = account
            while node is not None and node.pk not in keep:
                keep.add(node.pk)
                node = by_id.get(node.parent_id) if node.parent_id else None
    has_children = {a.parent_id for a in accounts if a.parent_id}
    return [
        {
            "account": a,
            "depth": depth,
            "indent": min(depth, 6),
            "is_header": a.pk in has_children,
            "match": bool(filters) and matches(a),
        }
        for a, depth in ordered
        if a.pk in keep
    ]


@login_required
def chart(request: HttpRequest, org_slug: str) -> HttpResponse:
    from ifm.ledger.forms import ChartFilterForm

    require_perm(access_of(request), "ledger.view")
    form = ChartFilterForm(request.GET or None)
    filters = form.values()
    rows = _chart_rows(filters)
    return render(
        request,
        "ledger/chart.html",
        {
            "form": form if form.is_bound else ChartFilterForm(),
            "rows": rows,
            "filtered": bool(filters),
        },
    )


def _edit_response(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    save: Callable[[], Any],
    form: Any,
    success: Callable[[Any], str],
    redirect_to: str,
) -> HttpResponse:
    """Run `save` (a service call) for a valid POSTed form; errors go beside the fields, a
    stale version becomes the conflict message."""
    from ifm.core.errors import ConflictError
    from ifm.tenancy.forms import add_service_errors

    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                obj = save()
            except ConflictError as exc:
                context["conflict"] = exc.message
                status = exc.status
            except ServiceError as exc:
                add_service_errors(form, exc)
                status = exc.status
            else:
                messages.success(request, success(obj))
                return redirect(redirect_to)
    return render(request, template, {**context, "form": form}, status=status)


def _parent(form: Any) -> Account | None:
    parent_id = form.cleaned_data.get("parent")
    return Account.objects.filter(pk=parent_id).first() if parent_id else None


@login_required
def account_create_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    from ifm.ledger.forms import AccountForm
    from ifm.ledger.services_chart import account_create

    access = access_of(request)
    require_perm(access, "ledger.manage")
    form = AccountForm(request.POST or None)

    def save() -> Account:
        data = form.cleaned_data
        return account_create(
            organization=org_of(request),
            actor=request.user,
            access=access,
            number=data["number"],
            name=data["name"],
            type=data["type"],
            parent=_parent(form),
            net_asset_class=data["net_asset_class"],
            description=data["description"],
        )

    return _edit_response(
        request,
        "ledger/account_form.html",
        {"account": None},
        save=save,
        form=form,
        success=lambda a: f"Added {a} to the chart of accounts.",
        redirect_to=reverse("ledger_chart", kwargs={"org_slug": org_slug}),
    )


@login_required
def account_edit_view(request: HttpRequest, org_slug: str, account_id: int) -> HttpResponse:
    from ifm.ledger.forms import AccountForm
    from ifm.ledger.services_chart import account_update

    account = get_or_404(Account.objects.select_related("parent"), account_id, "account")
    access = access_of(request)
    require_perm(access, "ledger.manage")
    initial = {
        "number": account.number,
        "name": account.name,
        "type": account.type,
        "parent": account.parent_id,
        "net_asset_class": account.net_asset_class,
        "description": account.description,
        "is_active": account.is_active,
        "version": account.version,
    }
    form = AccountForm(request.POST or None, initial=initial, account=account)

    def save() -> Account:
        data = form.cleaned_data
        return account_update(
            organization=org_of(request),
            actor=request.user,
            access=access,
            account=account,
            expected_version=data["version"] or 0,
            number=data["number"],
            name=data["name"],
            parent=_parent(form),
            net_asset_class=data["net_asset_class"],
            description=data["description"],
            is_active=data["is_active"],
        )

    return _edit_response(
        request,
        "ledger/account_form.html",
        {"account": account, "current_version": account.version},
        save=save,
        form=form,
        success=lambda a: f"Saved {a}.",
        redirect_to=reverse("ledger_chart", kwargs={"org_slug": org_slug}),
    )


@login_required
def funds(request: HttpRequest, org_slug: str) -> HttpResponse:
    require_perm(access_of(request), "ledger.view")
    query = request.GET.get("q", "").strip()[:100]
    rows = Fund.objects.order_by("-is_general", "code")
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return render(request, "ledger/funds.html", {"funds": rows, "q": query})


@login_required
def fund_create_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    from ifm.ledger.forms import FundForm
    from ifm.ledger.services_chart import fund_create

    access = access_of(request)
    require_perm(access, "ledger.manage")
    form = FundForm(request.POST or None)

    def save() -> Fund:
        data = form.cleaned_data
        return fund_create(
            organization=org_of(request),
            actor=request.user,
            access=access,
            code=data["code"],
            name=data["name"],
            restriction=data["restriction"],
            purpose=data["purpose"],
            restricted_until=data["restricted_until"],
        )

    return _edit_response(
        request,
        "ledger/simple_form.html",
        {"title": "New fund", "back": "ledger_funds", "back_label": "Funds"},
        save=save,
        form=form,
        success=lambda f: f"Added the fund {f}.",
        redirect_to=reverse("ledger_funds", kwargs={"org_slug": org_slug}),
    )


@login_required
def fund_edit_view(request: HttpRequest, org_slug: str, fund_id: int) -> HttpResponse:
    from ifm.ledger.forms import FundForm
    from ifm.ledger.services_chart import fund_update

    fund = get_or_404(Fund.objects.all(), fund_id, "fund")
    access = access_of(request)
    require_perm(access, "ledger.manage")
    initial = {
        "code": fund.code,
        "name": fund.name,
        "restriction": fund.restriction,
        "purpose": fund.purpose,
        "restricted_until": fund.restricted_until,
        "is_active": fund.is_active,
        "version": fund.version,
    }
    form = FundForm(request.POST or None, initial=initial, editing=True)

    def save() -> Fund:
        data = form.cleaned_data
        return fund_update(
            organization=org_of(request),
            actor=request.user,
            access=access,
            fund=fund,
            expected_version=data["version"] or 0,
            code=data["code"],
            name=data["name"],
            restriction=data["restriction"],
            purpose=data["purpose"],
            restricted_until=data["restricted_until"],
            is_active=data["is_active"],
        )

    return _edit_response(
        request,
        "ledger/simple_form.html",
        {
            "title": f"Edit fund {fund}",
            "back": "ledger_funds",
            "back_label": "Funds",
            "current_version": fund.version,
        },
        save=save,
        form=form,
        success=lambda f: f"Saved the fund {f}.",
        redirect_to=reverse("ledger_funds", kwargs={"org_slug": org_slug}),
    )


@login_required
def fund_release_view(request: HttpRequest, org_slug: str, fund_id: int) -> HttpResponseBase:
    """Release restricted money of a fund (spent for its purpose, or its time has passed)."""
    from ifm.ledger.forms import ReleaseForm

    fund = get_or_404(Fund.objects.all(), fund_id, "fund")
    access = access_of(request)
    require_perm(access, "ledger.post")
    if fund.restriction == Restriction.NONE:
        messages.error(request, f"{fund} has no donor restriction to release.")
        return redirect(reverse("ledger_funds", kwargs={"org_slug": org_slug}))
    form = ReleaseForm(request.POST or None)
    still = selectors.restricted_balance(fund_id=fund.pk, as_of=timezone.localdate())

    def save() -> JournalEntry:
        data = form.cleaned_data
        return fund_release(
            organization=org_of(request),
            actor=request.user,
            access=access,
            fund=fund,
            amount=data["amount"],
            date=data["date"],
            memo=data["memo"],
        )

    return _edit_response(
        request,
        "ledger/simple_form.html",
        {
            "title": f"Release from restriction: {fund}",
            "intro": (
                f"{fund} holds {still:,.2f} with donor restrictions today. A release moves an "
                "amount to net assets without donor restrictions, within the fund, when it has "
                "been spent for its purpose or its time has come."
            ),
            "submit_label": "Release",
            "back": "ledger_funds",
            "back_label": "Funds",
        },
        save=save,
        form=form,
        success=lambda entry: f"Released in {entry}.",
        redirect_to=reverse("ledger_funds", kwargs={"org_slug": org_slug}),
    )


@login_required
def programs(request: HttpRequest, org_slug: str) -> HttpResponse:
    from ifm.ledger.models import Program

    require_perm(access_of(request), "ledger.view")
    query = request.GET.get("q", "").strip()[:100]
    rows = Program.objects.order_by("code")
    if query:
        rows = rows.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return render(request, "ledger/programs.html", {"programs": rows, "q": query})


@login_required
def program_create_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    from ifm.ledger.forms import ProgramForm
    from ifm.ledger.services_chart import program_create

    access = access_of(request)
    require_perm(access, "ledger.manage")
    form = ProgramForm(request.POST or None)

    def save() -> Any:
        return program_create(
            organization=org_of(request),
            actor=request.user,
            access=access,
            code=form.cleaned_data["code"],
            name=form.cleaned_data["name"],
        )

    return _edit_response(
        request,
        "ledger/simple_form.html",
        {"title": "New program", "back": "ledger_programs", "back_label": "Programs"},
        save=save,
        form=form,
        success=lambda p: f"Added the program {p}.",
        redirect_to=reverse("ledger_programs", kwargs={"org_slug": org_slug}),
    )


@login_required
def program_edit_view(request: HttpRequest, org_slug: str, program_id: int) -> HttpResponse:
    from ifm.ledger.forms import ProgramForm
    from ifm.ledger.models import Program
    from ifm.ledger.services_chart import program_update

    program = get_or_404(Program.objects.all(), program_id, "program")
    access = access_of(request)
    require_perm(access, "ledger.manage")
    initial = {
        "code": program.code,
        "name": program.name,
        "is_active": program.is_active,
        "version": program.version,
    }
    form = ProgramForm(request.POST or None, initial=initial, editing=True)

    def save() -> Any:
        data = form.cleaned_data
        return program_update(
            organization=org_of(request),
            actor=request.user,
            access=access,
            program=program,
            expected_version=data["version"] or 0,
            code=data["code"],
            name=data["name"],
            is_active=data["is_active"],
        )

    return _edit_response(
        request,
        "ledger/simple_form.html",
        {
            "title": f"Edit program {program}",
            "back": "ledger_programs",
            "back_label": "Programs",
            "current_version": program.version,
        },
        save=save,
        form=form,
        success=lambda p: f"Saved the program {p}.",
        redirect_to=reverse("ledger_programs", kwargs={"org_slug": org_slug}),
    )


# --- Imports -------------------------------------------------------------------------------------


def _problems_by_row(errors: list[dict[str, str]]) -> list[str]:
    return [e["message"] for e in errors]


@login_required
def imports(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Import a chart of accounts or opening balances from CSV: check first (a dry run that
    lists every problem by row), then import."""
    from ifm.ledger.forms import MAX_INLINE_CSV, ChartImportForm, OpeningBalancesForm
    from ifm.ledger.services_chart import chart_import_csv, opening_balances_import_csv

    access = access_of(request)
    require_perm(access, "ledger.manage")
    kind = request.POST.get("kind", "")
    chart_form = ChartImportForm(prefix="chart")
    opening_form = OpeningBalancesForm(prefix="opening")
    context: dict[str, Any] = {"kind": kind}
    status = 200
    if request.method == "POST" and kind in {"chart", "opening"}:
        form: Any = (
            ChartImportForm(request.POST, request.FILES, prefix="chart")
            if kind == "chart"
            else OpeningBalancesForm(request.POST, request.FILES, prefix="opening")
        )
        dry_run = request.POST.get("action") != "import"
        status = 422
        if form.is_valid():
            data = form.data_to_import()
            if data is None:
                form.add_error("file", "Choose a CSV file to import.")
            else:
                if hasattr(data, "read"):
                    raw = data.read(MAX_INLINE_CSV + 1)
                    text = (
                        raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
                    )
                    data.seek(0)
                else:
                    text = data
                common = {
                    "organization": org_of(request),
                    "actor": request.user,
                    "access": access,
                    "file": data,
                    "dry_run": dry_run,
                }
                try:
                    if kind == "chart":
                        result = chart_import_csv(**common)
                    else:
                        result = opening_balances_import_csv(
                            date=form.cleaned_data["date"], **common
                        )
                except ServiceError as exc:
                    context["problems"] = _problems_by_row(exc.errors) or [exc.message]
                    context["error"] = exc.message
                else:
                    context["result"] = result
                    context["problems"] = [p.as_error()["message"] for p in result.problems]
                    if not dry_run:
                        if kind == "chart":
                            messages.success(
                                request,
                                f"Imported the chart: {len(result.created)} accounts added, "
                                f"{len(result.updated)} updated, {result.unchanged} unchanged.",
                            )
                            return redirect("ledger_chart", org_slug=org_slug)
                        messages.success(
                            request,
                            f"Posted the opening balances as JE-{result.entry_number} "
                            f"({result.lines} lines).",
                        )
                        return redirect(
                            "ledger_entry_detail", org_slug=org_slug, entry_id=result.entry_id
                        )
                    status = 200
                    # Keep the checked file in the page so "Import" sends the same rows.
                    if len(text) <= MAX_INLINE_CSV and not context["problems"]:
                        context["content"] = text
        if kind == "chart":
            chart_form = form
        else:
            opening_form = form
    context.update({"chart_form": chart_form, "opening_form": opening_form})
    return render(request, "ledger/imports.html", context, status=status)
