"""Pages of budgets: the list, the grid of a year, its import and copy, its file, and the
budget vs. actual report. Thin: the selectors and services of this area do the work."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.html import format_html

from ifm.accounts.http import OrgRequest
from ifm.core import exports
from ifm.core.errors import ConflictError, ServiceError
from ifm.core.money import MoneyError, parse_money
from ifm.core.pages import org_url
from ifm.ledger.models import Fund, Program
from ifm.reports.budgets import files, selectors, services
from ifm.reports.budgets.forms import (
    EXTRA_ROWS,
    CopyForm,
    GridRow,
    ImportForm,
    ReportForm,
    bound_rows,
    row_initial,
)
from ifm.reports.budgets.models import MONTH_FIELDS, Budget
from ifm.reports.budgets.years import (
    FIRST_YEAR,
    LAST_YEAR,
    current_fiscal_year,
    year_months,
    year_name,
)
from ifm.reports.export import FORMATS, report_file
from ifm.reports.pages import render_report
from ifm.reports.report import ZERO, Report
from ifm.tenancy.forms import add_service_errors
from ifm.tenancy.permissions import has_perm, require_perm

READ, WRITE = "reports.financial", "ledger.manage"
SALT = "ifm.reports.budget-import"


def _year(fiscal_year: int) -> int:
    if not FIRST_YEAR <= fiscal_year <= LAST_YEAR:
        raise Http404("No such fiscal year.")
    return fiscal_year


def _context(request: OrgRequest, fiscal_year: int, **extra: Any) -> dict[str, Any]:
    budget = selectors.budget_get(fiscal_year)
    return {
        "fiscal_year": fiscal_year,
        "year_name": year_name(fiscal_year),
        "budget": budget,
        "can_edit": has_perm(request.access, WRITE),
        "months": year_months(request.org, fiscal_year),
        **extra,
    }


# --- The list -----------------------------------------------------------------------------


@login_required
def budget_list(request: OrgRequest, org_slug: str) -> HttpResponse:
    require_perm(request.access, READ)
    current = current_fiscal_year(request.org)
    summaries = selectors.budget_list()
    taken = {s.budget.fiscal_year for s in summaries}
    return render(
        request,
        "reports/budgets/list.html",
        {
            "summaries": summaries,
            "new_years": [y for y in (current, current + 1) if y not in taken],
            "can_edit": has_perm(request.access, WRITE),
        },
    )


# --- The grid -----------------------------------------------------------------------------


def _choices() -> tuple[dict[str, list[Any]], dict[str, dict[int, str]]]:
    accounts = list(selectors.budget_accounts())
    funds = list(Fund.objects.order_by("code"))
    programs = list(Program.objects.order_by("code"))
    choices = {
        "account": [("", "Account…"), *((a.pk, str(a)) for a in accounts)],
        "fund": [("", "All funds"), *((f.pk, f"{f.code} {f.name}") for f in funds)],
        "program": [("", "All programs"), *((p.pk, f"{p.code} {p.name}") for p in programs)],
    }
    names = {
        "account": {a.pk: str(a) for a in accounts},
        "fund": {f.pk: f.code for f in funds},
        "program": {p.pk: p.code for p in programs},
    }
    return choices, names


def _label(names: dict[str, dict[int, str]], account: Any, fund: Any, program: Any) -> str:
    def known(kind: str, value: Any) -> str:
        try:
            return names[kind].get(int(value), "?")
        except (TypeError, ValueError):
            return ""

    parts = [known("account", account)]
    if fund:
        parts.append(f"fund {known('fund', fund)}")
    if program:
        parts.append(f"program {known('program', program)}")
    return " · ".join(p for p in parts if p)


def _row_total(row: GridRow) -> Any:
    values = [row[name].value() for name in MONTH_FIELDS]
    try:
        return sum((parse_money(v, blank=ZERO, text=True, allow_zero=True) for v in values), ZERO)
    except MoneyError:
        return None


def _fresh_rows(budget: Budget | None, choices: dict[str, Any], names: dict) -> list[GridRow]:
    """The budget's lines, then every active account without a line of its own, in account
    order, and blank rows to add a line by fund or program."""
    lines = selectors.budget_lines(budget)
    planned: list[tuple[Any, int, int | None, int | None]] = [
        (line, line.account_id, line.fund_id, line.program_id) for line in lines
    ]
    covered = {(x.account_id, x.fund_id, x.program_id) for x in lines}
    for account in selectors.budget_accounts().filter(is_active=True):
        if (account.pk, None, None) not in covered:
            planned.append((None, account.pk, None, None))

    def order(item: Any) -> tuple[str, str, str]:
        _line, account, fund, program = item
        return (
            names["account"].get(account, ""),
            names["fund"].get(fund, "") if fund else "",
            names["program"].get(program, "") if program else "",
        )

    planned.sort(key=order)
    rows = [
        GridRow(
            initial=row_initial(line, account, fund, program),
            prefix=f"r{i}",
            choices=choices,
            label=_label(names, account, fund, program),
        )
        for i, (line, account, fund, program) in enumerate(planned)
    ]
    start = len(rows)
    rows += [GridRow(prefix=f"r{start + i}", choices=choices) for i in range(EXTRA_ROWS)]
    return rows


def _place_errors(rows: list[GridRow], used: list[int], exc: ServiceError) -> None:
    """The service's `lines[k].field` errors beside the cell of the row they came from."""
    for error in exc.errors:
        field = error.get("field") or ""
        if field.startswith("lines[") and "]" in field:
            row = rows[used[int(field[6 : field.index("]")])]]
            name = field.split(".", 1)[1] if "." in field else ""
            row.add_error(name if name in row.fields else None, error["message"])


@login_required
def budget_grid(request: OrgRequest, org_slug: str, fiscal_year: int) -> HttpResponse:
    """The year's budget as a grid: a row per line, a column per month. Saving replaces the
    whole budget or changes nothing, with each problem beside its cell."""
    require_perm(request.access, READ)
    year = _year(fiscal_year)
    context = _context(request, year)
    choices, names = _choices()
    status = 200
    if request.method == "POST":
        require_perm(request.access, WRITE)
        rows = bound_rows(request.POST, choices, {})
        for row in rows:
            row.label = _label(
                names,
                row.data.get(row.add_prefix("account")),
                row.data.get(row.add_prefix("fund")),
                row.data.get(row.add_prefix("program")),
            )
        status = 422
        if all(row.is_valid() for row in rows):
            used = [i for i, row in enumerate(rows) if row.line() is not None]
            lines = [line for row in rows if (line := row.line()) is not None]
            version = request.POST.get("version", "")
            try:
                services.budget_save(
                    organization=request.org,
                    access=request.access,
                    actor=request.user,
                    fiscal_year=year,
                    lines=lines,
                    expected_version=int(version) if version.isdigit() else None,
                    how="grid",
                )
            except ConflictError as exc:
                context["conflict"] = exc.message
                status = exc.status
            except ServiceError as exc:
                _place_errors(rows, used, exc)
                context["problem"] = exc.message
            else:
                messages.success(request, f"The budget for {year_name(year)} is saved.")
                return redirect(org_url(request, "reports:budget_grid", fiscal_year=year))
    else:
        rows = _fresh_rows(context["budget"], choices, names)
    context["rows"] = [(row, _row_total(row)) for row in rows]
    context["row_count"] = len(rows)
    return render(request, "reports/budgets/grid.html", context, status=status)


# --- Files, import and copy ---------------------------------------------------------------


HEADER = list(files.COLUMNS)


@login_required
def budget_file(request: OrgRequest, org_slug: str, fiscal_year: int, fmt: str) -> HttpResponseBase:
    """The year's budget in the import layout (a file that imports back unchanged)."""
    require_perm(request.access, READ)
    year = _year(fiscal_year)
    rows = files.budget_rows(selectors.budget_get(year))
    return _file(request, fmt, f"budget-{year_name(year)}", rows)


@login_required
def budget_template(request: OrgRequest, org_slug: str, fmt: str) -> HttpResponseBase:
    """Every active revenue and expense account with twelve zeros, to fill in and import."""
    require_perm(request.access, READ)
    return _file(request, fmt, "budget-template", files.template_rows())


def _file(request: OrgRequest, fmt: str, name: str, rows: list[list[Any]]) -> HttpResponseBase:
    filename = f"{name}-{request.org.slug}"
    if fmt not in FORMATS:
        raise Http404("Files are CSV or XLSX.")
    if fmt == "csv":
        return exports.csv_response(HEADER, lambda: rows, filename=filename)
    return exports.xlsx_response(HEADER, rows, filename=filename, title="Budget")


@login_required
def budget_import(request: OrgRequest, org_slug: str, fiscal_year: int) -> HttpResponse:
    """Upload a file, see what it would change (nothing is saved), then import it whole."""
    require_perm(request.access, WRITE)
    year = _year(fiscal_year)
    context = _context(request, year)
    form = ImportForm()
    status = 200
    if request.method == "POST" and request.POST.get("action") == "apply":
        try:
            payload = signing.loads(request.POST.get("payload", ""), salt=SALT, max_age=3600)
        except signing.BadSignature:
            context["problem"] = "The preview has expired or was changed: upload the file again."
            return render(
                request, "reports/budgets/import.html", {**context, "form": form}, status=400
            )
        lines = [services.LineIn(a, f, p, m) for a, f, p, m in payload["lines"]]
        version = payload.get("version")
        try:
            services.budget_save(
                organization=request.org,
                access=request.access,
                actor=request.user,
                fiscal_year=year,
                lines=lines,
                expected_version=version,
                how="import",
            )
        except ServiceError as exc:
            context["problem"] = exc.message
            context["errors"] = [e["message"] for e in exc.errors]
            status = exc.status
        else:
            messages.success(request, f"The file is imported: {len(lines)} budget lines.")
            return redirect(org_url(request, "reports:budget_grid", fiscal_year=year))
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > files.MAX_BYTES:
                    raise ServiceError("The file is larger than 5 MB.", field="file")
                preview = files.budget_import_preview(
                    fiscal_year=year, data=upload.read(), filename=upload.name
                )
            except ServiceError as exc:
                context["problem"] = exc.message
                context["errors"] = [
                    e["message"] for e in exc.errors if e["message"] != exc.message
                ]
            else:
                status = 200
                budget = context["budget"]
                data = {
                    "version": budget.version if budget else None,
                    "lines": [
                        [x.account_id, x.fund_id, x.program_id, [str(a) for a in x.amounts]]
                        for x in preview.lines
                    ],
                }
                context["preview"] = preview
                context["counts"] = {
                    k: preview.count(k) for k in ("added", "changed", "removed", "unchanged")
                }
                context["payload"] = signing.dumps(data, salt=SALT, compress=True)
    return render(request, "reports/budgets/import.html", {**context, "form": form}, status=status)


@login_required
def budget_copy(request: OrgRequest, org_slug: str, fiscal_year: int) -> HttpResponse:
    """Fill the year's budget from last year's actuals or budget, with a percentage."""
    require_perm(request.access, WRITE)
    year = _year(fiscal_year)
    context = _context(request, year, prior=year_name(year - 1))
    budget = context["budget"]
    status = 200
    if request.method == "POST":
        form = CopyForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                services.budget_copy(
                    organization=request.org,
                    access=request.access,
                    actor=request.user,
                    fiscal_year=year,
                    source=form.cleaned_data["source"],
                    percent=form.cleaned_data["percent"],
                    expected_version=form.cleaned_data["version"],
                )
            except ConflictError as exc:
                context["conflict"] = exc.message
                status = exc.status
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"The budget for {year_name(year)} is copied.")
                return redirect(org_url(request, "reports:budget_grid", fiscal_year=year))
    else:
        form = CopyForm(
            initial={"source": "actuals", "version": budget.version if budget else None}
        )
    return render(request, "reports/budgets/copy.html", {**context, "form": form}, status=status)


# --- Budget vs. actual --------------------------------------------------------------------


def _report(request: OrgRequest) -> tuple[ReportForm, Report, int]:
    current = current_fiscal_year(request.org)
    years = sorted(
        {current - 1, current, current + 1}
        | {s.budget.fiscal_year for s in selectors.budget_list()},
        reverse=True,
    )
    form = ReportForm(request.GET or None, years=years, months=year_months(request.org, current))
    year, through = form.values(current)
    if form.is_bound:
        form = ReportForm(request.GET, years=years, months=year_months(request.org, year))
    report = selectors.budget_vs_actual(
        organization=request.org, fiscal_year=year, through_month=through
    )
    if not form.is_bound:
        form = ReportForm(
            initial={"fiscal_year": year, "through_month": through},
            years=years,
            months=year_months(request.org, year),
        )
    return form, report, year


@login_required
def budget_vs_actual(request: OrgRequest, org_slug: str, name: str) -> HttpResponse:
    require_perm(request.access, READ)
    form, report, year = _report(request)
    grid = org_url(request, "reports:budget_grid", fiscal_year=year)
    has_budget = selectors.budget_get(year) is not None
    intro = (
        "Variance is actual less budget; % used is actual as a share of budget. Highlighted "
        "lines are expenses over budget or revenue under it."
        if has_budget
        else f"There is no budget for {year_name(year)} yet: every budget below is zero."
    )
    actions = format_html(
        '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
        grid,
        "Edit the budget" if has_budget else "Enter a budget",
    )
    return render_report(request, name, form, report, intro=intro, actions=actions)


@login_required
def budget_vs_actual_export(
    request: OrgRequest, org_slug: str, name: str, fmt: str
) -> HttpResponseBase:
    require_perm(request.access, READ)
    _form, report, year = _report(request)
    return report_file(request, report, fmt, f"budget-vs-actual-{year_name(year)}")
