"""Pages of the reports' tieout area, inside the `reports` namespace."""

from ifm.reports.routes import report_routes
from ifm.reports.tieout import views

urlpatterns = report_routes(
    "donations-vs-ledger/", "donations_vs_ledger", views.tieout, views.tieout_export
)
