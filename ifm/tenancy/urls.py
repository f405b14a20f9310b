from django.urls import path

from ifm.tenancy import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
