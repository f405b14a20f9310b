"""The operations page for IFM platform staff (mounted at /platform/operations/)."""

from django.urls import path

from ifm.ops import views

app_name = "platform_monitoring"

urlpatterns = [
    path("", views.platform_operations, name="platform_operations"),
    path("data.json", views.platform_operations_json, name="platform_operations_json"),
]
