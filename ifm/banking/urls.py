"""Pages of banking, under /o/<org_slug>/banking/: each area's pages."""

from django.urls import include, path

app_name = "banking"

urlpatterns = [
    path("", include("ifm.banking.accounts.urls")),
    path("", include("ifm.banking.imports.urls")),
    path("", include("ifm.banking.matching.urls")),
    path("", include("ifm.banking.reconciliation.urls")),
]
