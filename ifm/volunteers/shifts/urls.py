"""Pages of the volunteers' shifts area: opportunities, shifts, and staff sign-ups."""

from django.urls import path

from ifm.volunteers.shifts import views

urlpatterns = [
    path("opportunities/", views.opportunity_list, name="opportunity_list"),
    path(
        "opportunities/export.csv",
        views.opportunity_list_export,
        {"fmt": "csv"},
        name="opportunity_export_csv",
    ),
    path(
        "opportunities/export.xlsx",
        views.opportunity_list_export,
        {"fmt": "xlsx"},
        name="opportunity_export_xlsx",
    ),
    path("opportunities/new/", views.opportunity_new, name="opportunity_new"),
    path(
        "opportunities/<int:opportunity_id>/",
        views.opportunity_detail,
        name="opportunity_detail",
    ),
    path(
        "opportunities/<int:opportunity_id>/edit/", views.opportunity_edit, name="opportunity_edit"
    ),
    path(
        "opportunities/<int:opportunity_id>/archive/",
        views.opportunity_archive,
        name="opportunity_archive",
    ),
    path("opportunities/<int:opportunity_id>/shifts/new/", views.shift_new, name="shift_new"),
    path("shifts/", views.shift_list, name="shift_list"),
    path("shifts/export.csv", views.shift_list_export, {"fmt": "csv"}, name="shift_export_csv"),
    path("shifts/export.xlsx", views.shift_list_export, {"fmt": "xlsx"}, name="shift_export_xlsx"),
    path("shifts/<int:shift_id>/", views.shift_detail, name="shift_detail"),
    path("shifts/<int:shift_id>/edit/", views.shift_edit, name="shift_edit"),
    path("shifts/<int:shift_id>/cancel/", views.shift_cancel, name="shift_cancel"),
    path("shifts/<int:shift_id>/roles/new/", views.shift_role_new, name="shift_role_new"),
    path("shifts/<int:shift_id>/signups/", views.shift_signup_add, name="shift_signup_add"),
    path("signups/<int:signup_id>/cancel/", views.shift_signup_cancel, name="shift_signup_cancel"),
    path(
        "signups/<int:signup_id>/check-in/",
        views.shift_signup_check_in,
        name="shift_signup_check_in",
    ),
    path(
        "signups/<int:signup_id>/check-out/",
        views.shift_signup_check_out,
        name="shift_signup_check_out",
    ),
]
