"""Pages of the volunteer program, under /o/<org_slug>/volunteers/: each area's pages."""

from django.urls import include, path

app_name = "volunteers"

urlpatterns = [
    path("", include("ifm.volunteers.people.urls")),
    path("", include("ifm.volunteers.shifts.urls")),
    path("", include("ifm.volunteers.kiosk.urls")),
    path("", include("ifm.volunteers.hours.urls")),
    path("", include("ifm.volunteers.imports.urls")),
    path("", include("ifm.volunteers.public.staff_urls")),
]
