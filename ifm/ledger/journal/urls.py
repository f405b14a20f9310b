"""Ledger pages of journal entries and the entry form."""

from django.urls import path

from ifm.ledger.journal import views

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
]
