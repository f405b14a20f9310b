"""Ledger pages of periods and fiscal years."""

from django.urls import path

from ifm.ledger.periods import views

urlpatterns = [
    path("periods/", views.periods, name="ledger_periods"),
    path("periods/<int:period_id>/close/", views.period_close_view, name="ledger_period_close"),
    path(
        "periods/<int:period_id>/close/confirm/",
        views.period_close_confirm,
        name="ledger_period_close_confirm",
    ),
    path(
        "periods/<int:period_id>/close-through/",
        views.books_close_through_view,
        name="ledger_books_close_through",
    ),
    path("periods/<int:period_id>/reopen/", views.period_reopen_view, name="ledger_period_reopen"),
]
