"""The help center, mounted at /help/."""

from django.urls import path

from ifm.support.help import views

app_name = "help"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.article, name="article"),
    path("<slug:slug>/feedback/", views.article_feedback, name="article_feedback"),
]
