"""Coordinators' messages to volunteers, under /o/<org_slug>/volunteers/ (namespace volunteers)."""

from django.urls import path

from ifm.volunteers.public import staff_views

urlpatterns = [
    path("messages/", staff_views.message_list, name="message_list"),
    path("messages/new/", staff_views.message_new, name="message_new"),
    path(
        "messages/<int:volunteer_message_id>/",
        staff_views.message_detail,
        name="message_detail",
    ),
]
