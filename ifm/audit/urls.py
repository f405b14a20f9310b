"""Pages of one organization's audit log, under /o/<org_slug>/audit/."""

from django.urls import path

from ifm.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="audit_log"),
    path("export.csv", views.audit_log_export, {"fmt": "csv"}, name="audit_export_csv"),
    path("export.xlsx", views.audit_log_export, {"fmt": "xlsx"}, name="audit_export_xlsx"),
]
