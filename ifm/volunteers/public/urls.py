"""The public sign-up pages, under /volunteer/<org_slug>/: no account needed."""

from django.urls import path

from ifm.volunteers.public import views

app_name = "volunteer_public"

urlpatterns = [
    path("", views.home, name="home"),
    path("o/<int:opportunity_id>/", views.opportunity_page, name="opportunity"),
    path("shifts/<int:shift_id>/", views.shift_signup, name="shift"),
    path("me/<str:token>/", views.own_page, name="own_page"),
    path("me/<str:token>/cancel/", views.own_cancel, name="own_cancel"),
    path("me/<str:token>/reset/", views.own_reset, name="own_reset"),
    path("link/", views.link_request, name="link_request"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
