"""The support desk for IFM platform staff (mounted at /platform/support/)."""

from django.urls import path

from ifm.support import desk_extra_views, desk_views

app_name = "platform_support"

urlpatterns = [
    path("", desk_views.desk, name="desk"),
    path("<int:ticket_id>/", desk_views.desk_ticket, name="desk_ticket"),
    path("<int:ticket_id>/message", desk_views.desk_message, name="desk_message"),
    path("<int:ticket_id>/assign", desk_views.desk_assign, name="desk_assign"),
    path("<int:ticket_id>/escalate", desk_views.desk_escalate, name="desk_escalate"),
    path("<int:ticket_id>/status", desk_views.desk_status, name="desk_status"),
    path("<int:ticket_id>/priority", desk_views.desk_priority, name="desk_priority"),
    path("<int:ticket_id>/merge", desk_views.desk_merge, name="desk_merge"),
    path("<int:ticket_id>/bugs/new", desk_views.desk_bug_create, name="desk_bug_create"),
    path("<int:ticket_id>/bugs/link", desk_views.desk_bug_link, name="desk_bug_link"),
    path(
        "<int:ticket_id>/bugs/<int:bug_id>/unlink",
        desk_views.desk_bug_unlink,
        name="desk_bug_unlink",
    ),
    path("<int:ticket_id>/access", desk_views.desk_access_request, name="desk_access_request"),
    path(
        "<int:ticket_id>/access/<int:grant_id>/revoke",
        desk_views.desk_access_revoke,
        name="desk_access_revoke",
    ),
    path("canned/", desk_extra_views.canned_list, name="canned_list"),
    path("canned/<int:canned_id>/", desk_extra_views.canned_edit, name="canned_edit"),
    path("canned/<int:canned_id>/delete", desk_extra_views.canned_delete, name="canned_delete"),
    path("bugs/", desk_extra_views.bug_list, name="bug_list"),
    path("bugs/<int:bug_id>/", desk_extra_views.bug_detail, name="bug_detail"),
    path("screenshots/<int:attachment_id>", desk_views.desk_attachment, name="desk_attachment"),
]
