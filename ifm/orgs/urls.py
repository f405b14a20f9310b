from django.urls import include, path

from ifm.accounts.urls import org_urlpatterns as account_org_urlpatterns
from ifm.orgs import search_views, views

app_name = "orgs"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("members/", views.members, name="members"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<int:membership_id>/status/", views.member_status, name="member_status"),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("settings/", views.org_settings, name="org_settings"),
    path("logo/", views.org_logo, name="logo"),
    path("search/", search_views.search, name="search"),
    path("", include(account_org_urlpatterns)),
]
