"""Pages of reports, under /o/<org_slug>/reports/."""

from django.urls import URLPattern, path

from ifm.reports import views
from ifm.reports.financial import views as financial

app_name = "reports"


def _statement(route: str, name: str) -> list[URLPattern]:
    return [
        path(route, financial.statement, {"name": name}, name=name),
        path(
            f"{route}export.csv",
            financial.statement_export,
            {"name": name, "fmt": "csv"},
            name=f"{name}_csv",
        ),
        path(
            f"{route}export.xlsx",
            financial.statement_export,
            {"name": name, "fmt": "xlsx"},
            name=f"{name}_xlsx",
        ),
    ]


urlpatterns = [
    path("", views.home, name="home"),
    *_statement("financial-position/", "financial_position"),
    *_statement("activities/", "activities"),
    *_statement("functional-expenses/", "functional_expenses"),
]
