"""Pages of banking: bank accounts and column profiles."""

from django.urls import path

from ifm.banking.accounts import profile_views, views

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path(
        "accounts/export.csv", views.account_list_export, {"fmt": "csv"}, name="account_export_csv"
    ),
    path(
        "accounts/export.xlsx",
        views.account_list_export,
        {"fmt": "xlsx"},
        name="account_export_xlsx",
    ),
    path("accounts/new/", views.account_new, name="account_new"),
    path("accounts/<int:bank_account_id>/", views.account_detail, name="account_detail"),
    path("accounts/<int:bank_account_id>/edit/", views.account_edit, name="account_edit"),
    path("accounts/<int:bank_account_id>/archive/", views.account_archive, name="account_archive"),
    path("accounts/<int:bank_account_id>/delete/", views.account_delete, name="account_delete"),
    path(
        "accounts/<int:bank_account_id>/lines.csv",
        views.account_lines_export,
        {"fmt": "csv"},
        name="account_lines_csv",
    ),
    path(
        "accounts/<int:bank_account_id>/lines.xlsx",
        views.account_lines_export,
        {"fmt": "xlsx"},
        name="account_lines_xlsx",
    ),
    path("profiles/", profile_views.profile_list, name="profile_list"),
    path("profiles/new/", profile_views.profile_new, name="profile_new"),
    path("profiles/<int:profile_id>/", profile_views.profile_edit, name="profile_edit"),
]
