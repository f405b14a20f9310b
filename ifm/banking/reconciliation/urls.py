"""Pages of banking: reconciliations, under /o/<org_slug>/banking/reconciliations/."""

from django.urls import path

from ifm.banking.reconciliation import views

_ONE = "reconciliations/<int:reconciliation_id>/"

urlpatterns = [
    path("reconciliations/", views.reconciliation_list, name="reconciliation_list"),
    path(
        "reconciliations/export.csv",
        views.reconciliation_list_export,
        {"fmt": "csv"},
        name="reconciliation_export_csv",
    ),
    path(
        "reconciliations/export.xlsx",
        views.reconciliation_list_export,
        {"fmt": "xlsx"},
        name="reconciliation_export_xlsx",
    ),
    path("reconciliations/new/", views.reconciliation_new, name="reconciliation_new"),
    path(
        "reconciliations/account/<int:bank_account_id>/",
        views.reconciliation_list,
        name="reconciliation_account_list",
    ),
    path(
        "reconciliations/account/<int:bank_account_id>/export.csv",
        views.reconciliation_list_export,
        {"fmt": "csv"},
        name="reconciliation_account_export_csv",
    ),
    path(
        "reconciliations/account/<int:bank_account_id>/export.xlsx",
        views.reconciliation_list_export,
        {"fmt": "xlsx"},
        name="reconciliation_account_export_xlsx",
    ),
    path(_ONE, views.reconciliation_detail, name="reconciliation_detail"),
    path(_ONE + "balance/", views.reconciliation_balance, name="reconciliation_balance"),
    path(_ONE + "finish/", views.reconciliation_finish, name="reconciliation_finish"),
    path(_ONE + "reopen/", views.reconciliation_reopen, name="reconciliation_reopen"),
    path(_ONE + "discard/", views.reconciliation_discard, name="reconciliation_discard"),
    path(
        _ONE + "report.pdf",
        views.reconciliation_report,
        {"fmt": "pdf"},
        name="reconciliation_report_pdf",
    ),
    path(
        _ONE + "report.xlsx",
        views.reconciliation_report,
        {"fmt": "xlsx"},
        name="reconciliation_report_xlsx",
    ),
    *[
        path(
            f"{_ONE}{kind}.{fmt}",
            views.reconciliation_items_export,
            {"kind": kind, "fmt": fmt},
            name=f"reconciliation_{kind}_{fmt}",
        )
        for kind in views.KINDS
        for fmt in ("csv", "xlsx")
    ],
]
