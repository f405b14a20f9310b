from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from ifm.accounts import views_auth
from ifm.api import api
from ifm.ops import rum
from ifm.ops import views as ops_views
from ifm.orgs import views as org_views

# A database out of reach answers 503 with Retry-After instead of the 500 page.
handler500 = "ifm.core.dbfaults.server_error"

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("rum/page-load", rum.rum_page_load, name="rum_page_load"),
    # Browsers ask for /favicon.ico where a page names no icon (the error pages, files, JSON).
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("ifm/favicon.svg"))),
    path("accounts/", include("ifm.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("o/<slug:org_slug>/audit/", include("ifm.audit.urls")),
    path("platform/audit/", include("ifm.audit.platform_urls")),
    path("o/<slug:org_slug>/jobs/", include("ifm.ops.org_urls")),
    path("o/<slug:org_slug>/ledger/", include("ifm.ledger.urls")),
    path("o/<slug:org_slug>/expenses/", include("ifm.expenses.urls")),
    path("o/<slug:org_slug>/donors/", include("ifm.donors.urls")),
    path("o/<slug:org_slug>/banking/", include("ifm.banking.urls")),
    path("o/<slug:org_slug>/volunteers/", include("ifm.volunteers.urls")),
    path("volunteer/<slug:org_slug>/", include("ifm.volunteers.public.urls")),
    path("o/<slug:org_slug>/reports/", include("ifm.reports.urls")),
    path("o/<slug:org_slug>/support/", include("ifm.support.urls")),
    path("support/", include("ifm.support.start_urls")),
    path("platform/support/", include("ifm.support.desk_urls")),
    path("platform/communications/", include("ifm.support.comms.urls")),
    path("communications/", include("ifm.support.comms.account_urls")),
    path("platform/jobs/", include("ifm.ops.urls")),
    path("platform/maintenance/", include("ifm.ops.maintenance.urls")),
    path("platform/operations/", include("ifm.ops.platform_urls")),
    path("platform/usage/", include("ifm.ops.usage_urls")),
    path("o/<slug:org_slug>/usage/", include("ifm.ops.org_usage_urls")),
    path("help/", include("ifm.support.help.urls")),
    path("platform/help/", include("ifm.support.help.platform_urls")),
    path("o/<slug:org_slug>/onboarding/", include("ifm.rollout.urls")),
    path("platform/rollout/", include("ifm.rollout.platform_urls")),
    path("o/<slug:org_slug>/", include("ifm.orgs.urls")),
    # The admin's own sign-in form would skip the second factor: it sends people to ours.
    path("admin/login/", views_auth.admin_login, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
]
