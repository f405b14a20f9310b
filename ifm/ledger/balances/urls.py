"""Ledger pages of trial balance, account ledgers, fund balances and releases."""

from django.urls import path

from ifm.ledger.balances import views

urlpatterns = [
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
    path("funds/<int:fund_id>/release/", views.fund_release_view, name="ledger_fund_release"),
]
