from typing import Any

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ifm.ledger"
    label = "ledger"

    def ready(self) -> None:
        from ifm.tenancy.modules import Feature, Module, register_module  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_module(
            Module(
                key="ledger",
                name="Accounting",
                description="Chart of accounts, funds, journal, periods and the ledger's reports.",
                url_namespaces=("ledger",),
                api_tags=("ledger",),
                core=True,
                features=(
                    Feature(
                        "journal_entry",
                        "Post a journal entry",
                        routes=("POST ledger:ledger_entry_create", "POST api:journal_entry_list"),
                        starts=("GET ledger:ledger_entry_create",),
                    ),
                    Feature(
                        "trial_balance",
                        "Run the trial balance",
                        routes=("GET ledger:ledger_trial_balance", "GET api:trial_balance"),
                    ),
                    Feature(
                        "chart_of_accounts",
                        "Set up the chart of accounts",
                        routes=(
                            "POST ledger:ledger_account_create",
                            "POST ledger:ledger_account_edit",
                            "POST api:account_import",
                        ),
                    ),
                    Feature(
                        "opening_balances",
                        "Import accounts or opening balances",
                        routes=("POST ledger:ledger_import", "POST api:opening_balances_import"),
                    ),
                    Feature(
                        "fund_release",
                        "Release restricted funds",
                        routes=("POST ledger:ledger_fund_release",),
                    ),
                    Feature(
                        "period_close",
                        "Close a period",
                        routes=("POST ledger:ledger_period_close_confirm",),
                    ),
                ),
                order=10,
            )
        )
        from ifm.tenancy.signals import organization_created  # noqa: PLC0415 (ready(): the app registry is loaded)

        organization_created.connect(_set_up_books, dispatch_uid="ledger_set_up_books")

        from ifm.ledger import demo  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.demo import register  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("ledger", demo.seed)

        from ifm.audit.readable import register_link  # noqa: PLC0415 (ready(): the app registry is loaded)

        # Journal entries' pages take <entry_id>, not the <journalentry_id> of the convention.
        register_link("ledger.journalentry", "ledger:ledger_entry_detail", "entry_id")
        from ifm.ledger import dashboard  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register as register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles("finance", dashboard.finance_tiles, perm="ledger.view")
        from ifm.ledger import global_search  # noqa: PLC0415 (ready(): the app registry is loaded)

        global_search.register_providers()


def _set_up_books(sender: Any, organization: Any, **kwargs: Any) -> None:
    from ifm.ledger.chart.services import (  # noqa: PLC0415 (apps.py loads before the models)
        chart_create_from_template,
    )

    chart_create_from_template(organization=organization)
