from django.urls import path

from ifm.accounts import views, views_auth

app_name = "accounts"

# Under /accounts/ (included before allauth's URLs).
urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("profile/", views.profile, name="profile"),
    # allauth's code steps, with the attempt limit (same paths and names, found first).
    path("2fa/authenticate/", views_auth.second_factor, name="mfa_authenticate"),
    path(
        "2fa/reauthenticate/",
        views_auth.second_factor_reauthenticate,
        name="mfa_reauthenticate",
    ),
]

# Under /o/<org_slug>/ (included by ifm.orgs.urls, so in the orgs namespace).
org_urlpatterns = [
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path(
        "members/<int:membership_id>/unlock/",
        views_auth.member_unlock,
        name="member_unlock",
    ),
]
