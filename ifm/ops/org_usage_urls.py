"""An organization's own usage, for its admins (mounted at /o/<slug>/usage/)."""

from django.urls import path

from ifm.ops import usage_views

app_name = "usage"

urlpatterns = [path("", usage_views.org_usage, name="org_usage")]
