"""Pages of donors, gifts and pledges, under /o/<org_slug>/donors/: each area's pages, and
the pages that span areas (the donor profile, merge and duplicates, a donation's page with its
receipts, its void and its receipt, compliance)."""

from django.urls import include, path

from ifm.donors import views
from ifm.donors.receipts import views as receipt_views

app_name = "donors"

urlpatterns = [
    path("", include("ifm.donors.people.urls")),
    path("", include("ifm.donors.gifts.urls")),
    path("", include("ifm.donors.pledges.urls")),
    path("<int:donor_id>/", views.donor_detail, name="donor_detail"),
    path("<int:donor_id>/notes/", views.donor_note_add, name="donor_note_add"),
    path(
        "<int:donor_id>/notes/<int:donornote_id>/edit/",
        views.donor_note_edit,
        name="donor_note_edit",
    ),
    path(
        "<int:donor_id>/notes/<int:donornote_id>/delete/",
        views.donor_note_delete,
        name="donor_note_delete",
    ),
    path("<int:donor_id>/contacts/", views.donor_contacts, name="donor_contacts"),
    path("<int:donor_id>/merge/", views.donor_merge, name="donor_merge"),
    path("<int:donor_id>/duplicates/", views.donor_duplicates, name="donor_duplicates"),
    path("donations/<int:donation_id>/", receipt_views.donation_detail, name="donation_detail"),
    path("donations/<int:donation_id>/void/", receipt_views.donation_void, name="donation_void"),
    path("donations/<int:donation_id>/receipt/", views.donation_receipt, name="donation_receipt"),
    path("receipts/compliance/", views.compliance, name="receipt_compliance"),
    path("receipts/", include("ifm.donors.receipts.urls")),
    path("imports/", include("ifm.donors.imports.urls")),
    path("lists/", include("ifm.donors.lists.urls")),
]
