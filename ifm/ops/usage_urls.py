"""Every organization's usage, for IFM platform staff (mounted at /platform/usage/)."""

from django.urls import path

from ifm.ops import usage_views

app_name = "platform_usage"

urlpatterns = [path("", usage_views.platform_usage, name="platform_usage")]
