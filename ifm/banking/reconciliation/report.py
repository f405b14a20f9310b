"""The reconciliation report as PDF and XLSX: book balance to adjusted bank balance, the items
outstanding, the bank lines not cleared, and who finished it when.

The PDF lists at most PDF_ITEMS items per list (and says how many more there are: the XLSX has
them all). WeasyPrint fetches nothing: only `data:` URLs would resolve, and the report has none.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from ifm.banking.models import Reconciliation
from ifm.banking.reconciliation.selectors import (
    BankItem,
    Figures,
    LedgerItem,
    ReconciliationState,
    reconciliation_state,
)
from ifm.core.exports import XLSX_MAX_ROWS, neutralize

# WeasyPrint reports every rendering step at INFO: keep only its warnings.
logging.getLogger("weasyprint").setLevel(logging.WARNING)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PDF_ITEMS = 500


@dataclass
class Report:
    rec: Reconciliation
    figures: Figures
    deposits: list[LedgerItem]
    payments: list[LedgerItem]
    bank: list[BankItem]
    currency: str
    organization_name: str

    def summary(self) -> list[tuple[str, Any]]:
        f = self.figures
        return [
            ("Statement ending balance", f.statement_balance),
            (f"Add: deposits in transit ({f.deposits_in_transit_count})", f.deposits_in_transit),
            (
                f"Less: outstanding checks and payments ({f.outstanding_payments_count})",
                -f.outstanding_payments,
            ),
            ("Adjusted bank balance", f.adjusted_bank_balance),
            ("Book balance", f.book_balance),
            ("Difference", f.difference),
        ]


def build_report(
    rec: Reconciliation, *, organization_name: str, currency: str, limit: int | None
) -> Report:
    state: ReconciliationState = reconciliation_state(rec)
    return Report(
        rec=rec,
        figures=state.figures,
        deposits=state.items("deposits", limit=limit),
        payments=state.items("payments", limit=limit),
        bank=state.bank_items(limit=limit),
        currency=currency,
        organization_name=organization_name,
    )


def filename(rec: Reconciliation, ext: str) -> str:
    slug = slugify(rec.bank_account.name)[:60]
    return f"reconciliation-{slug or 'account'}-{rec.statement_date:%Y-%m-%d}.{ext}"


def report_pdf(rec: Reconciliation, *, organization_name: str, currency: str) -> bytes:
    report = build_report(
        rec, organization_name=organization_name, currency=currency, limit=PDF_ITEMS
    )
    html = render_to_string(
        "banking/reconciliation/report_pdf.html",
        {
            "report": report,
            "rec": rec,
            "f": report.figures,
            "limit": PDF_ITEMS,
            "printed_at": timezone.now(),
        },
    )
    # WeasyPrint takes about 0.8 s to import: only the processes that make a PDF pay for it.
    from weasyprint import HTML  # noqa: PLC0415
    from weasyprint.urls import URLFetcher  # noqa: PLC0415

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=5)
    pdf: bytes = HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf()
    return pdf


def _row(sheet: Any, values: list[Any], *, bold: bool = False) -> None:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=neutralize(value))
        if bold:
            cell.font = Font(bold=True)
        if isinstance(value, Decimal):
            cell.number_format = "#,##0.00"
        elif isinstance(value, date):
            cell.number_format = "yyyy-mm-dd"
        cells.append(cell)
    sheet.append(cells)


def report_xlsx(rec: Reconciliation, *, organization_name: str, currency: str) -> bytes:
    report = build_report(rec, organization_name=organization_name, currency=currency, limit=None)
    book = Workbook(write_only=True)
    summary: Any = book.create_sheet("Reconciliation")
    _row(summary, [f"{organization_name}: bank reconciliation"], bold=True)
    _row(summary, ["Bank account", rec.bank_account.name])
    _row(summary, ["Statement date", rec.statement_date])
    _row(summary, ["Status", rec.get_status_display()])
    if rec.finished_at:
        who = str(rec.finished_by) if rec.finished_by else ""
        _row(summary, ["Finished", f"{rec.finished_at:%Y-%m-%d %H:%M} UTC {who}".strip()])
    _row(summary, ["Currency", currency])
    _row(summary, [])
    for label, amount in report.summary():
        _row(summary, [label, amount], bold=label in ("Adjusted bank balance", "Difference"))
    sheets = [
        ("Deposits in transit", report.deposits),
        ("Outstanding payments", report.payments),
    ]
    for title, items in sheets:
        sheet: Any = book.create_sheet(title)
        _row(sheet, ["Date", "Entry", "Reference", "Memo", "Amount"], bold=True)
        for n, item in enumerate(items):
            if n >= XLSX_MAX_ROWS:
                break
            _row(
                sheet,
                [item.date, f"JE-{item.entry_number}", item.reference, item.memo, item.amount],
            )
    bank: Any = book.create_sheet("Not cleared on statement")
    _row(bank, ["Date", "Payee", "Memo", "Reference", "Amount", "Status"], bold=True)
    for n, line in enumerate(report.bank):
        if n >= XLSX_MAX_ROWS:
            break
        _row(bank, [line.date, line.payee, line.memo, line.reference, line.amount, line.status])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
