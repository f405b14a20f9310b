"""Ledger pages of periods and fiscal years."""

from django.urls import path

from ifm.ledger.periods import views

urlpatterns = [
    path("periods/", views.periods, name="ledger_periods"),
    path("periods/<int:period_id>/close/", views.period_close_view, name="ledger_period_close"),
    path("periods/<int:period_id>/reopen/", views.period_reopen_view, name="ledger_period_reopen"),
]
