"""Pages of expenses, under /o/<org_slug>/expenses/."""

from django.urls import path

from ifm.expenses import views

app_name = "expenses"

urlpatterns = [
    path("", views.expense_list, name="expense_list"),
    path("export.csv", views.expense_list_export, {"fmt": "csv"}, name="expense_export_csv"),
    path("export.xlsx", views.expense_list_export, {"fmt": "xlsx"}, name="expense_export_xlsx"),
    path("new/", views.expense_new, name="expense_new"),
    path("queue/", views.approval_queue, name="expense_queue"),
    path("queue/approve/", views.approval_queue_approve, name="expense_queue_approve"),
    path("queue/export.csv", views.approval_queue_export, {"fmt": "csv"}, name="expense_queue_csv"),
    path(
        "queue/export.xlsx",
        views.approval_queue_export,
        {"fmt": "xlsx"},
        name="expense_queue_xlsx",
    ),
    path("settings/", views.expense_settings, name="expense_settings"),
    path("<int:expense_id>/", views.expense_detail, name="expense_detail"),
    path("<int:expense_id>/edit/", views.expense_edit, name="expense_edit"),
    path("<int:expense_id>/receipts/", views.receipt_upload, name="expense_receipt_upload"),
    *[
        path(
            f"<int:expense_id>/{action}/",
            views.expense_action,
            {"action": action},
            name=f"expense_{action}",
        )
        for action in views.ACTIONS
    ],
    path("receipts/<int:receipt_id>/", views.receipt_download, name="expense_receipt"),
    path("receipts/<int:receipt_id>/remove/", views.receipt_delete, name="expense_receipt_remove"),
]
