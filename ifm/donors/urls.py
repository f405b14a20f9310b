"""Pages of donors and donations, under /o/<org_slug>/donors/."""

from django.urls import include, path

from ifm.donors import views, views_fundraising
from ifm.donors import views_households as vh

urlpatterns = [
    path("", views.donor_list, name="donor_list"),
    path("export.csv", views.donor_export, {"fmt": "csv"}, name="donor_export_csv"),
    path("export.xlsx", views.donor_export, {"fmt": "xlsx"}, name="donor_export_xlsx"),
    path("new/", views.donor_new, name="donor_new"),
    path("pick/", views.donor_pick, name="donor_pick"),
    path("households/", vh.household_list, name="household_list"),
    path("households/new/", vh.household_new, name="household_new"),
    path("households/<int:household_id>/", vh.household_detail, name="household_detail"),
    path("households/<int:household_id>/edit/", vh.household_edit, name="household_edit"),
    path("households/<int:household_id>/members/", vh.household_members, name="household_members"),
    path("<int:donor_id>/household/", vh.donor_household, name="donor_household"),
    path("<int:donor_id>/merge/", vh.donor_merge, name="donor_merge"),
    path("<int:donor_id>/duplicates/", vh.donor_duplicates, name="donor_duplicates"),
    path("<int:donor_id>/", views.donor_detail, name="donor_detail"),
    path("<int:donor_id>/edit/", views.donor_edit, name="donor_edit"),
    path("<int:donor_id>/notes/", views.donor_note_add, name="donor_note_add"),
    path("<int:donor_id>/contacts/", views.donor_contacts, name="donor_contacts"),
    path("donations/", views_fundraising.donation_list, name="donation_list"),
    path(
        "donations/export.csv",
        views_fundraising.donation_export,
        {"fmt": "csv"},
        name="donation_export_csv",
    ),
    path(
        "donations/export.xlsx",
        views_fundraising.donation_export,
        {"fmt": "xlsx"},
        name="donation_export_xlsx",
    ),
    path("donations/new/", views.donation_new, name="donation_new"),
    path("donations/<int:donation_id>/", views.donation_detail, name="donation_detail"),
    path("donations/<int:donation_id>/edit/", views.donation_edit, name="donation_edit"),
    path("donations/<int:donation_id>/void/", views.donation_void, name="donation_void"),
    path("donations/<int:donation_id>/receipt/", views.donation_receipt, name="donation_receipt"),
    path("receipts/compliance/", views_fundraising.compliance, name="receipt_compliance"),
    path("receipts/", include("ifm.donors.receipts.urls")),
    path("", include("ifm.donors.urls_pledges")),
    path("campaigns/", views_fundraising.campaign_list, name="campaign_list"),
    path("batches/", views.batch_list, name="gift_batch_list"),
    path("batches/<int:giftbatch_id>/", views.batch_detail, name="gift_batch_detail"),
    path("batches/<int:giftbatch_id>/add/", views.batch_add, name="gift_batch_add"),
    path("batches/<int:giftbatch_id>/post/", views.batch_post, name="gift_batch_post"),
    path("imports/", include("ifm.donors.imports.urls")),
]
