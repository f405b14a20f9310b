"""A user's email preference and the unsubscribe link (mounted at /communications/)."""

from django.urls import path

from ifm.support.comms import account_views

app_name = "comms"

urlpatterns = [
    path("preferences/", account_views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", account_views.unsubscribe, name="unsubscribe"),
]
