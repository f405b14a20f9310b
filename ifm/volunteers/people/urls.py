"""Pages of the volunteers' people area: volunteers, their qualifications and the types."""

from django.urls import path

from ifm.volunteers.people import qualification_views as quals
from ifm.volunteers.people import views

urlpatterns = [
    path("", views.volunteer_list, name="volunteer_list"),
    path("export.csv", views.volunteer_export, {"fmt": "csv"}, name="volunteer_export_csv"),
    path("export.xlsx", views.volunteer_export, {"fmt": "xlsx"}, name="volunteer_export_xlsx"),
    path("new/", views.volunteer_new, name="volunteer_new"),
    path("duplicates/", views.volunteer_duplicates, name="volunteer_duplicates"),
    path("<int:volunteer_id>/", views.volunteer_detail, name="volunteer_detail"),
    path("<int:volunteer_id>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path("<int:volunteer_id>/donor/", views.volunteer_donor, name="volunteer_donor"),
    path(
        "<int:volunteer_id>/qualifications/new/",
        quals.qualification_new,
        name="qualification_new",
    ),
    path("qualifications/types/", quals.qualification_type_list, name="qualification_type_list"),
    path(
        "qualifications/types/<int:qualification_type_id>/",
        quals.qualification_type_edit,
        name="qualification_type_edit",
    ),
    path("qualifications/expiring/", quals.qualification_expiring, name="qualification_expiring"),
    path(
        "qualifications/<int:qualification_id>/edit/",
        quals.qualification_edit,
        name="qualification_edit",
    ),
    path(
        "qualifications/<int:qualification_id>/delete/",
        quals.qualification_delete,
        name="qualification_delete",
    ),
    path(
        "qualifications/<int:qualification_id>/document/",
        quals.qualification_document,
        name="qualification_document",
    ),
]
