from django.urls import path

from ifm.accounts import views_auth

urlpatterns = [
    path(
        "o/<slug:org_slug>/members/<int:membership_id>/unlock/",
        views_auth.member_unlock,
        name="member_unlock",
    ),
]
