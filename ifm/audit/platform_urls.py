"""The cross-organization audit log for platform staff, under /platform/audit/."""

from django.urls import path

from ifm.audit import views

app_name = "platform_audit"

urlpatterns = [
    path("", views.platform_audit_log, name="platform_audit"),
    path(
        "export.csv",
        views.platform_audit_log_export,
        {"fmt": "csv"},
        name="platform_audit_export_csv",
    ),
    path(
        "export.xlsx",
        views.platform_audit_log_export,
        {"fmt": "xlsx"},
        name="platform_audit_export_xlsx",
    ),
]
