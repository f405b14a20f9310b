"""The support desk for IFM platform staff (mounted at /platform/support/)."""

from django.urls import path

from ifm.support import desk_views

app_name = "platform_support"

urlpatterns = [
    path("", desk_views.desk, name="desk"),
    path("<int:ticket_id>/", desk_views.desk_ticket, name="desk_ticket"),
    path("<int:ticket_id>/message", desk_views.desk_message, name="desk_message"),
    path("<int:ticket_id>/assign", desk_views.desk_assign, name="desk_assign"),
    path("<int:ticket_id>/escalate", desk_views.desk_escalate, name="desk_escalate"),
    path("<int:ticket_id>/status", desk_views.desk_status, name="desk_status"),
    path("<int:ticket_id>/priority", desk_views.desk_priority, name="desk_priority"),
    path("screenshots/<int:attachment_id>", desk_views.desk_attachment, name="desk_attachment"),
]
