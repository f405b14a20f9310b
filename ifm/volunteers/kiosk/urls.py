"""Pages of the volunteers' kiosk area."""

from django.urls import path  # noqa: F401 (the area adds its pages here)

urlpatterns: list = []
