"""The organization's onboarding checklist, under /o/<org_slug>/onboarding/."""

from django.urls import path

from ifm.rollout import org_views

app_name = "rollout"

urlpatterns = [
    path("", org_views.onboarding, name="onboarding"),
    path("sign-off", org_views.onboarding_signoff, name="signoff"),
]
