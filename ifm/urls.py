from django.contrib import admin
from django.urls import include, path

from ifm.api import api
from ifm.ops import views as ops_views
from ifm.tenancy import views as tenancy_views

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("o/<slug:org_slug>/", include("ifm.tenancy.urls")),
    path("admin/", admin.site.urls),
]
