"""Ops pages of one organization (mounted at /o/<org_slug>/jobs/)."""

from django.urls import path

from ifm.ops import views

app_name = "ops"

urlpatterns = [
    path("", views.org_jobs, name="org_jobs"),
]
