"""The import page: check a file, then import it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from ifm.accounts.http import OrgRequest
from ifm.core.errors import ServiceError
from ifm.ledger.imports.forms import MAX_INLINE_CSV, ChartImportForm, OpeningBalancesForm
from ifm.ledger.imports.services import chart_import_csv, opening_balances_import_csv
from ifm.tenancy.permissions import require_perm


def _problems_by_row(errors: list[dict[str, str]]) -> list[str]:
    return [e["message"] for e in errors]


@login_required
def imports(request: OrgRequest, org_slug: str) -> HttpResponse:
    """Import a chart of accounts or opening balances from CSV: check first (a dry run that
    lists every problem by row), then import."""

    access = request.access
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
                    "organization": request.org,
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
                            return redirect("ledger:ledger_chart", org_slug=org_slug)
                        messages.success(
                            request,
                            f"Posted the opening balances as JE-{result.entry_number} "
                            f"({result.lines} lines).",
                        )
                        return redirect(
                            "ledger:ledger_entry_detail",
                            org_slug=org_slug,
                            entry_id=result.entry_id,
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
