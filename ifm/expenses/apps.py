from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "ifm.expenses"
    label = "expenses"
    verbose_name = "Expenses"

    def ready(self) -> None:
        from ifm.tenancy.modules import Feature, Module, register_module  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_module(
            Module(
                key="expenses",
                name="Expenses",
                description="Expense claims and bills with their approval workflow.",
                url_namespaces=("expenses",),
                api_tags=("expenses",),
                core=True,
                features=(
                    Feature(
                        "expense_submit",
                        "Submit an expense",
                        routes=("POST expenses:expense_submit", "POST api:expense_submit"),
                        starts=("GET expenses:expense_new",),
                    ),
                    Feature(
                        "expense_approve",
                        "Approve an expense",
                        routes=(
                            "POST expenses:expense_approve",
                            "POST expenses:expense_queue_approve",
                            "POST api:expense_approve",
                            "POST api:expense_approve_many",
                        ),
                        starts=("GET expenses:expense_queue",),
                    ),
                    Feature(
                        "expense_pay",
                        "Pay an expense",
                        routes=(
                            "POST expenses:expense_pay",
                            "POST expenses:expense_pay_many",
                            "POST api:expense_pay",
                            "POST api:expense_pay_many",
                        ),
                    ),
                    Feature(
                        "expense_receipt",
                        "Attach a receipt",
                        routes=("POST expenses:expense_receipt_upload", "POST api:receipt_add"),
                    ),
                ),
                order=30,
            )
        )
        from ifm.expenses import demo  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.demo import register  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("expenses", demo.seed, after=("ledger", "donors"))

        from ifm.expenses import dashboard  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register as register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles("finance", dashboard.finance_tiles, perm="expenses.approve")
        register_tiles("staff", dashboard.staff_tiles, perm="expenses.submit")
        from ifm.expenses import global_search  # noqa: PLC0415 (ready(): the app registry is loaded)

        global_search.register_providers()
