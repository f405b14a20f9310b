"""Pages of the reports' fundraising area, inside the `reports` namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
