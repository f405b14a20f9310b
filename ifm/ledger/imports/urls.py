"""Ledger pages of chart and opening-balance imports."""

from django.urls import path

from ifm.ledger.imports import views

urlpatterns = [
    path("import/", views.imports, name="ledger_import"),
]
