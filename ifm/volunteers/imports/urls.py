"""Pages of the volunteers' imports area."""

from django.urls import path

from ifm.volunteers.imports import views

urlpatterns = [
    path("imports/", views.import_list, name="volunteer_import_list"),
    path("imports/<int:volunteerimport_id>/", views.import_detail, name="volunteer_import"),
]
