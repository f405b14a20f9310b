"""Pages of reports, under /o/<org_slug>/reports/: the home, then each area's reports."""

from django.urls import include, path

from ifm.reports import views
from ifm.reports.financial import views as financial
from ifm.reports.routes import report_routes

app_name = "reports"
STATEMENT = (financial.statement, financial.statement_export)

urlpatterns = [
    path("", views.home, name="home"),
    *report_routes(
        "financial-position/", "financial_position", financial.statement, financial.statement_export
    ),
    *report_routes("activities/", "activities", financial.statement, financial.statement_export),
    *report_routes(
        "functional-expenses/",
        "functional_expenses",
        financial.statement,
        financial.statement_export,
    ),
    *report_routes("cash-flow/", "cash_flow", *STATEMENT),
    path("", include("ifm.reports.budgets.urls")),
    path("", include("ifm.reports.fundraising.urls")),
    path("", include("ifm.reports.tieout.urls")),
]
