from django.urls import path

from ifm.accounts import views

# Under /accounts/ (included before allauth's URLs).
urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("profile/", views.profile, name="profile"),
]

# Under /o/<org_slug>/ (included by ifm.tenancy.urls).
org_urlpatterns = [
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
