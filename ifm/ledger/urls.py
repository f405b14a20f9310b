"""Ledger pages, under /o/<org_slug>/ledger/."""

from django.urls import path

from ifm.ledger import views

urlpatterns = [
    path("", views.entry_list, name="ledger_home"),
    path("entries/", views.entry_list, name="ledger_entries"),
    path("entries/export.csv", views.entry_export, {"fmt": "csv"}, name="ledger_entries_csv"),
    path("entries/export.xlsx", views.entry_export, {"fmt": "xlsx"}, name="ledger_entries_xlsx"),
    path("entries/new/", views.entry_create, name="ledger_entry_create"),
    path("entries/new/balance/", views.entry_balance, name="ledger_entry_balance"),
    path("entries/new/line/", views.entry_line, name="ledger_entry_line"),
    path("entries/<int:entry_id>/", views.entry_detail, name="ledger_entry_detail"),
    path("entries/<int:entry_id>/reverse/", views.entry_reverse, name="ledger_entry_reverse"),
    path("pick/accounts/", views.pick_accounts, name="ledger_pick_accounts"),
    path("pick/funds/", views.pick_funds, name="ledger_pick_funds"),
    path("trial-balance/", views.trial_balance, name="ledger_trial_balance"),
    path(
        "trial-balance/export.csv",
        views.trial_balance_export,
        {"fmt": "csv"},
        name="ledger_trial_balance_csv",
    ),
    path(
        "trial-balance/export.xlsx",
        views.trial_balance_export,
        {"fmt": "xlsx"},
        name="ledger_trial_balance_xlsx",
    ),
    path("accounts/<int:account_id>/", views.account_ledger, name="ledger_account"),
    path("fund-balances/", views.fund_balances, name="ledger_fund_balances"),
    path("chart/", views.chart, name="ledger_chart"),
    path("chart/new/", views.account_create_view, name="ledger_account_create"),
    path("chart/<int:account_id>/edit/", views.account_edit_view, name="ledger_account_edit"),
    path("funds/", views.funds, name="ledger_funds"),
    path("funds/new/", views.fund_create_view, name="ledger_fund_create"),
    path("funds/<int:fund_id>/edit/", views.fund_edit_view, name="ledger_fund_edit"),
    path("funds/<int:fund_id>/release/", views.fund_release_view, name="ledger_fund_release"),
    path("programs/", views.programs, name="ledger_programs"),
    path("programs/new/", views.program_create_view, name="ledger_program_create"),
    path("programs/<int:program_id>/edit/", views.program_edit_view, name="ledger_program_edit"),
    path("import/", views.imports, name="ledger_import"),
    path("periods/", views.periods, name="ledger_periods"),
    path("periods/<int:period_id>/close/", views.period_close_view, name="ledger_period_close"),
    path("periods/<int:period_id>/reopen/", views.period_reopen_view, name="ledger_period_reopen"),
    path(
        "fiscal-years/<int:fiscal_year_id>/close/",
        views.fiscal_year_close_view,
        name="ledger_fiscal_year_close",
    ),
]
