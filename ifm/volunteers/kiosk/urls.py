"""Pages of the check-in kiosk, under /o/<org_slug>/volunteers/kiosk/ (kiosk mode keeps a
device on these)."""

from django.urls import path

from ifm.volunteers.kiosk import views

urlpatterns = [
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/start/", views.kiosk_start, name="kiosk_start"),
    path("kiosk/exit/", views.kiosk_exit, name="kiosk_exit"),
    path("kiosk/signups/<int:signup_id>/check-in/", views.kiosk_check_in, name="kiosk_check_in"),
    path("kiosk/signups/<int:signup_id>/check-out/", views.kiosk_check_out, name="kiosk_check_out"),
    path("kiosk/shifts/<int:shift_id>/walk-in/", views.kiosk_walk_in, name="kiosk_walk_in"),
]
