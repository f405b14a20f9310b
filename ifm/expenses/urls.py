"""Pages of expenses, under /o/<org_slug>/expenses/."""

from django.urls import path

from ifm.expenses import queues, receipt_views, settings_views, views

app_name = "expenses"

urlpatterns = [
    path("", views.expense_list, name="expense_list"),
    path("export.csv", views.expense_list_export, {"fmt": "csv"}, name="expense_export_csv"),
    path("export.xlsx", views.expense_list_export, {"fmt": "xlsx"}, name="expense_export_xlsx"),
    path("new/", views.expense_new, name="expense_new"),
    path("queue/", queues.approval_queue, name="expense_queue"),
    path("queue/approve/", queues.approval_queue_approve, name="expense_queue_approve"),
    path(
        "queue/export.csv", queues.approval_queue_export, {"fmt": "csv"}, name="expense_queue_csv"
    ),
    path(
        "queue/export.xlsx",
        queues.approval_queue_export,
        {"fmt": "xlsx"},
        name="expense_queue_xlsx",
    ),
    path("to-pay/", queues.to_pay_list, name="expense_to_pay"),
    path("to-pay/pay/", queues.to_pay_pay, name="expense_pay_many"),
    path("to-pay/export.csv", queues.to_pay_export, {"fmt": "csv"}, name="expense_to_pay_csv"),
    path("to-pay/export.xlsx", queues.to_pay_export, {"fmt": "xlsx"}, name="expense_to_pay_xlsx"),
    path("settings/", settings_views.expense_settings, name="expense_settings"),
    path(
        "settings/categories/<int:expensecategory_id>/",
        settings_views.category_edit,
        name="expense_category",
    ),
    path(
        "settings/categories/<int:expensecategory_id>/delete/",
        settings_views.category_delete,
        name="expense_category_delete",
    ),
    path("<int:expense_id>/", views.expense_detail, name="expense_detail"),
    path("<int:expense_id>/edit/", views.expense_edit, name="expense_edit"),
    path("<int:expense_id>/receipts/", receipt_views.receipt_upload, name="expense_receipt_upload"),
    *[
        path(
            f"<int:expense_id>/{action}/",
            views.expense_action,
            {"action": action},
            name=f"expense_{action}",
        )
        for action in views.ACTIONS
    ],
    path("receipts/<int:receipt_id>/", receipt_views.receipt_download, name="expense_receipt"),
    path(
        "receipts/<int:receipt_id>/remove/",
        receipt_views.receipt_delete,
        name="expense_receipt_remove",
    ),
]
