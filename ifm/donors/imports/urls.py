"""Import pages, under /o/<org_slug>/donors/imports/."""

from django.urls import path

from ifm.donors.imports import views

urlpatterns = [
    path("", views.import_list, name="donor_import_list"),
    path("new/", views.import_new, name="donor_import_new"),
    path(
        "uploads/<int:importupload_id>/mapping/",
        views.import_mapping,
        name="donor_import_mapping",
    ),
    path("uploads/<int:importupload_id>/check/", views.import_dry_run, name="donor_import_check"),
    path("uploads/<int:importupload_id>/commit/", views.import_commit, name="donor_import_commit"),
    path(
        "uploads/<int:importupload_id>/rejected.csv",
        views.import_upload_rejected_file,
        {"fmt": "csv"},
        name="donor_import_rejected_csv",
    ),
    path(
        "uploads/<int:importupload_id>/rejected.xlsx",
        views.import_upload_rejected_file,
        {"fmt": "xlsx"},
        name="donor_import_rejected_xlsx",
    ),
    path("<int:importrun_id>/", views.import_run, name="donor_import_run"),
    path(
        "<int:importrun_id>/rejected.csv",
        views.import_run_rejected_file,
        {"fmt": "csv"},
        name="donor_import_run_rejected_csv",
    ),
    path(
        "<int:importrun_id>/rejected.xlsx",
        views.import_run_rejected_file,
        {"fmt": "xlsx"},
        name="donor_import_run_rejected_xlsx",
    ),
    path("<int:importrun_id>/again/", views.import_again, name="donor_import_again"),
]
