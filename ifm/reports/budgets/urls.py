"""Pages of the reports' budgets area, inside the `reports` namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
