"""Ledger page action of closing a fiscal year."""

from django.urls import path

from ifm.ledger.closing import views

urlpatterns = [
    path(
        "fiscal-years/<int:fiscal_year_id>/close/",
        views.fiscal_year_close_view,
        name="ledger_fiscal_year_close",
    ),
]
