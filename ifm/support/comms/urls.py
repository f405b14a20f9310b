"""Communications for IFM platform staff (mounted at /platform/communications/)."""

from django.urls import path

from ifm.support.comms import views

app_name = "platform_comms"

urlpatterns = [
    path("", views.send_list, name="sends"),
    path("sends.csv", views.send_export, name="sends_csv"),
    path("send/", views.send_new, name="send_new"),
    path("sends/<int:send_id>/", views.send_detail, name="send_detail"),
    path("sends/<int:send_id>/progress", views.send_progress, name="send_progress"),
    path("templates/", views.template_list, name="templates"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:template_id>/", views.template_edit, name="template_edit"),
    path("announcements/", views.announcement_list, name="announcements"),
    path("announcements/<int:announcement_id>/", views.announcement_edit, name="announcement_edit"),
    path(
        "announcements/<int:announcement_id>/end", views.announcement_end, name="announcement_end"
    ),
]
