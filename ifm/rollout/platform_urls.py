"""The rollout console, for IFM platform staff (mounted at /platform/rollout/)."""

from django.urls import path

from ifm.rollout import gonogo_views, metrics_views, views

app_name = "platform_rollout"

urlpatterns = [
    path("", views.rollout_board, name="board"),
    path("metrics/", metrics_views.metrics_page, name="metrics"),
    path("o/<slug:slug>/", views.organization_page, name="organization"),
    path("o/<slug:slug>/move", views.organization_move, name="move"),
    path("o/<slug:slug>/modules", views.organization_modules, name="modules"),
    path("o/<slug:slug>/sign-off", views.organization_signoff, name="signoff"),
    path("phases/", views.phase_list, name="phases"),
    path("phases/<slug:slug>/", views.phase_edit, name="phase"),
    path("phases/<slug:slug>/apply", views.phase_apply, name="phase_apply"),
    path("phases/<slug:slug>/waves", views.wave_create, name="wave_create"),
    path("phases/<slug:slug>/go-no-go/", gonogo_views.gonogo_page, name="gonogo"),
    path("phases/<slug:slug>/go-no-go.pdf", gonogo_views.gonogo_pdf, name="gonogo_pdf"),
    path(
        "phases/<slug:slug>/go-no-go/sign-off",
        gonogo_views.gonogo_sign_off,
        name="gonogo_sign_off",
    ),
]
