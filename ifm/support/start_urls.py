"""The Help link outside an organization's pages (mounted at /support/)."""

from django.urls import path

from ifm.support import views

app_name = "support_start"

urlpatterns = [path("new", views.start, name="new")]
