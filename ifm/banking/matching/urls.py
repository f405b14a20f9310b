"""Pages of banking: matching and rules."""

from django.urls import path

from ifm.banking.matching.views import actions, page, rules

urlpatterns = [
    path("accounts/<int:bank_account_id>/matching/", page.matching, name="matching"),
    path(
        "accounts/<int:bank_account_id>/matching/export.csv",
        page.matching_export,
        {"fmt": "csv"},
        name="matching_export_csv",
    ),
    path(
        "accounts/<int:bank_account_id>/matching/export.xlsx",
        page.matching_export,
        {"fmt": "xlsx"},
        name="matching_export_xlsx",
    ),
    path(
        "accounts/<int:bank_account_id>/matching/accept-confident/",
        actions.matching_accept_confident,
        name="matching_accept_confident",
    ),
    path(
        "accounts/<int:bank_account_id>/matching/apply-rules/",
        actions.matching_apply_rules,
        name="matching_apply_rules",
    ),
    path("lines/<int:bank_transaction_id>/match/", actions.matching_match, name="matching_match"),
    path(
        "lines/<int:bank_transaction_id>/unmatch/",
        actions.matching_unmatch,
        name="matching_unmatch",
    ),
    path(
        "lines/<int:bank_transaction_id>/create-entry/",
        actions.matching_create_entry,
        name="matching_create_entry",
    ),
    path("rules/", rules.rule_list, name="matching_rules"),
    path("rules/export.csv", rules.rule_export, {"fmt": "csv"}, name="matching_rules_csv"),
    path("rules/export.xlsx", rules.rule_export, {"fmt": "xlsx"}, name="matching_rules_xlsx"),
    path("rules/new/", rules.rule_new, name="matching_rule_new"),
    path("rules/<int:rule_id>/", rules.rule_edit, name="matching_rule_edit"),
    path("rules/<int:rule_id>/delete/", rules.rule_delete, name="matching_rule_delete"),
]
