"""Ledger pages, under /o/<org_slug>/ledger/: each area brings its own."""

from django.urls import include, path

app_name = "ledger"

urlpatterns = [
    path("", include("ifm.ledger.journal.urls")),
    path("", include("ifm.ledger.balances.urls")),
    path("", include("ifm.ledger.chart.urls")),
    path("", include("ifm.ledger.imports.urls")),
    path("", include("ifm.ledger.periods.urls")),
    path("", include("ifm.ledger.closing.urls")),
]
