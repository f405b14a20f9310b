"""Maintenance mode, for IFM platform staff (mounted at /platform/maintenance/)."""

from django.urls import path

from ifm.ops.maintenance import views

app_name = "platform_maintenance"

urlpatterns = [
    path("", views.maintenance_page, name="page"),
    path("on", views.maintenance_on, name="on"),
    path("off", views.maintenance_off, name="off"),
    path("window", views.maintenance_schedule, name="schedule"),
    path("window/cancel", views.maintenance_unschedule, name="unschedule"),
]
