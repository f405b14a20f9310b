"""Ledger pages of periods and fiscal years."""

from django.urls import path

from ifm.ledger.periods import views

urlpatterns = [
    path("periods/", views.periods, name="ledger_periods"),
    path("periods/<int:period_id>/close/", views.period_close_view, name="ledger_period_close"),
    path("periods/<int:period_id>/reopen/", views.period_reopen_view, name="ledger_period_reopen"),
    path(
        "fiscal-years/<int:fiscal_year_id>/close/",
        views.fiscal_year_close_view,
        name="ledger_fiscal_year_close",
    ),
]
