"""Platform-wide ops pages, for IFM platform staff (mounted at /platform/jobs/)."""

from django.urls import path

from ifm.ops import views

app_name = "platform_ops"

urlpatterns = [
    path("", views.platform_jobs, name="platform_jobs"),
    path("<uuid:job_id>/retry", views.platform_job_retry, name="platform_job_retry"),
]
