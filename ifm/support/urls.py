"""An organization's Help pages (mounted at /o/<slug>/support/)."""

from django.urls import path

from ifm.support import views
from ifm.support.survey import views as survey_views

app_name = "support"

urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("new", views.ticket_new, name="ticket_new"),
    path("<int:ticket_id>/", views.ticket_detail, name="ticket_detail"),
    path("<int:ticket_id>/conversation", views.ticket_conversation, name="ticket_conversation"),
    path("<int:ticket_id>/reply", views.ticket_reply, name="ticket_reply"),
    path("<int:ticket_id>/rate", views.ticket_rate, name="ticket_rate"),
    path("survey", survey_views.survey_answer, name="survey"),
    path("screenshots/<int:attachment_id>", views.attachment_download, name="attachment_download"),
]
