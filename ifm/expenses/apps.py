from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "ifm.expenses"
    label = "expenses"
    verbose_name = "Expenses"

    def ready(self) -> None:
        from ifm.expenses import demo  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.demo import register  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("expenses", demo.seed, after=("ledger", "donors"))

        from ifm.expenses import dashboard  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register as register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles("finance", dashboard.finance_tiles, perm="expenses.approve")
        register_tiles("staff", dashboard.staff_tiles, perm="expenses.submit")
        from ifm.expenses import global_search  # noqa: PLC0415 (ready(): the app registry is loaded)

        global_search.register_providers()
