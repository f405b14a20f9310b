"""Ledger pages of the chart of accounts, funds and programs."""

from django.urls import path

from ifm.ledger.chart import views

urlpatterns = [
    path("chart/", views.chart, name="ledger_chart"),
    path("chart/new/", views.account_create_view, name="ledger_account_create"),
    path("chart/<int:account_id>/edit/", views.account_edit_view, name="ledger_account_edit"),
    path("funds/", views.funds, name="ledger_funds"),
    path("funds/new/", views.fund_create_view, name="ledger_fund_create"),
    path("funds/<int:fund_id>/edit/", views.fund_edit_view, name="ledger_fund_edit"),
    path("programs/", views.programs, name="ledger_programs"),
    path("programs/new/", views.program_create_view, name="ledger_program_create"),
    path("programs/<int:program_id>/edit/", views.program_edit_view, name="ledger_program_edit"),
]
