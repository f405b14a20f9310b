"""Pages of the reports' tieout area, inside the `reports` namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
