"""Pages of the reports' fundraising area, inside the `reports` namespace."""

from django.urls import URLPattern, path

from ifm.reports.fundraising import views
from ifm.reports.routes import report_routes

ROUTES = {
    "lybunt": "fundraising/lybunt/",
    "sybunt": "fundraising/sybunt/",
    "retention": "fundraising/retention/",
    "gift_range": "fundraising/gift-range/",
    "campaign_giving": "fundraising/campaigns/",
    "top_donors": "fundraising/top-donors/",
    "monthly_giving": "fundraising/monthly/",
}

urlpatterns: list[URLPattern] = [
    *(
        pattern
        for name, route in ROUTES.items()
        for pattern in report_routes(route, name, views.report_page, views.report_export)
    ),
    *(
        path(f"{ROUTES[kind]}save-list/", views.save_list, {"kind": kind}, name=f"{kind}_save_list")
        for kind in ("lybunt", "sybunt")
    ),
    path(
        f"{ROUTES['gift_range']}settings/",
        views.gift_range_settings,
        name="gift_range_settings",
    ),
    path("fundraising/donors/", views.donors_page, name="fundraising_donors"),
    *(
        path(
            f"fundraising/donors/export.{fmt}",
            views.donors_export,
            {"fmt": fmt},
            name=f"fundraising_donors_{fmt}",
        )
        for fmt in ("csv", "xlsx")
    ),
]
