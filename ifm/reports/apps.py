from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ifm.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from ifm.tenancy.modules import Feature, Module, register_module  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_module(
            Module(
                key="reports",
                name="Reports",
                description="Financial statements, budgets and fundraising reports.",
                url_namespaces=("reports",),
                api_tags=("reports", "budgets"),
                core=True,
                features=(
                    Feature(
                        "financial_statements",
                        "Run the financial statements",
                        routes=(
                            "GET reports:financial_position",
                            "GET reports:activities",
                            "GET reports:functional_expenses",
                            "GET reports:cash_flow",
                            "GET api:statement_of_financial_position",
                            "GET api:statement_of_activities",
                            "GET api:functional_expenses",
                            "GET api:cash_flow",
                        ),
                    ),
                    Feature(
                        "budget_vs_actual",
                        "Compare the budget with actuals",
                        routes=("GET reports:budget_vs_actual", "GET api:budget_vs_actual"),
                    ),
                    Feature(
                        "budget_edit",
                        "Enter a budget",
                        routes=(
                            "POST reports:budget_grid",
                            "POST reports:budget_import",
                            "POST reports:budget_copy",
                            "PUT api:budget_get",
                            "POST api:budget_copy",
                        ),
                    ),
                    Feature(
                        "fundraising_reports",
                        "Run the fundraising reports",
                        routes=(
                            "GET reports:lybunt",
                            "GET reports:sybunt",
                            "GET reports:retention",
                            "GET reports:gift_range",
                            "GET reports:campaign_giving",
                            "GET reports:top_donors",
                            "GET reports:monthly_giving",
                            "GET api:lybunt",
                            "GET api:sybunt",
                            "GET api:retention",
                        ),
                    ),
                    Feature(
                        "tie_out",
                        "Check donations against the ledger",
                        routes=("GET reports:donations_vs_ledger", "GET api:donations_vs_ledger"),
                    ),
                ),
                order=50,
            )
        )
        from ifm.orgs.demo import register  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.reports import demo  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("reports", demo.seed, after=("ledger", "donors", "expenses", "banking"))

        from ifm.reports.dashboard import register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles()
