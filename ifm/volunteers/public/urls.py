"""The public sign-up pages, under /volunteer/<org_slug>/: no account needed."""

from django.urls import path  # noqa: F401 (the area adds its pages here)

app_name = "volunteer_public"

urlpatterns: list = []
