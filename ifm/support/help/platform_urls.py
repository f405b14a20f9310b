"""The help center's feedback for IFM platform staff, mounted at /platform/help/."""

from django.urls import path

from ifm.support.help import views

app_name = "platform_help"

urlpatterns = [
    path("", views.platform_feedback, name="feedback"),
]
