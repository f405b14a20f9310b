"""Pages of the volunteers' hours area, under /o/<org_slug>/volunteers/hours/."""

from django.urls import path

from ifm.volunteers.hours import report_views, views
from ifm.volunteers.hours.reports import TABLES

urlpatterns = [
    path("hours/", views.hours_list, name="hours_list"),
    path("hours/export.csv", views.hours_export, {"fmt": "csv"}, name="hours_export_csv"),
    path("hours/export.xlsx", views.hours_export, {"fmt": "xlsx"}, name="hours_export_xlsx"),
    path("hours/new/", views.hours_new, name="hours_new"),
    path("hours/queue/", views.hours_queue, name="hours_queue"),
    path("hours/queue/approve/", views.hours_queue_approve, name="hours_queue_approve"),
    path("hours/<int:hours_id>/edit/", views.hours_edit, name="hours_edit"),
    path("hours/<int:hours_id>/approve/", views.hours_approve, name="hours_approve"),
    path("hours/<int:hours_id>/reject/", views.hours_reject, name="hours_reject"),
    path("hours/reports/", report_views.hours_reports, name="hours_reports"),
    *[
        path(
            f"hours/reports/{table}.{fmt}",
            report_views.hours_report_export,
            {"table": table, "fmt": fmt},
            name=f"hours_report_{table}_{fmt}",
        )
        for table in TABLES
        for fmt in ("csv", "xlsx")
    ],
    path("hours/settings/", report_views.hours_settings, name="hours_settings"),
]
