"""Pages of pledges and recurring gifts, under /o/<org_slug>/donors/."""

from django.urls import path

from ifm.donors.pledges import views

urlpatterns = [
    path("pledges/", views.pledge_list, name="pledge_list"),
    path("pledges/export.csv", views.pledge_export, {"fmt": "csv"}, name="pledge_export_csv"),
    path("pledges/export.xlsx", views.pledge_export, {"fmt": "xlsx"}, name="pledge_export_xlsx"),
    path("pledges/new/", views.pledge_new, name="pledge_new"),
    path("pledges/<int:pledge_id>/", views.pledge_detail, name="pledge_detail"),
    path("pledges/<int:pledge_id>/cancel/", views.pledge_cancel, name="pledge_cancel"),
    path("recurring/", views.recurring_list, name="recurring_list"),
    path("recurring/new/", views.recurring_new, name="recurring_new"),
    path("recurring/<int:recurring_id>/", views.recurring_detail, name="recurring_detail"),
    path("recurring/<int:recurring_id>/status/", views.recurring_status, name="recurring_status"),
    path("donations/links/", views.donation_links, name="donation_links"),
]
