from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "ifm.banking"
    label = "banking"
    verbose_name = "Banking"

    def ready(self) -> None:
        from ifm.tenancy.modules import Feature, Module, register_module  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_module(
            Module(
                key="banking",
                name="Banking",
                description="Bank accounts, statement import, matching and reconciliation.",
                url_namespaces=("banking",),
                api_tags=("bank accounts", "statements", "matching", "reconciliations"),
                core=True,
                features=(
                    Feature(
                        "statement_import",
                        "Import a bank statement",
                        routes=("POST banking:import_new", "POST api:bank_statement_list"),
                        starts=("GET banking:import_new",),
                    ),
                    Feature(
                        "transaction_match",
                        "Match bank transactions",
                        routes=(
                            "POST banking:matching_match",
                            "POST banking:matching_accept_confident",
                            "POST banking:matching_create_entry",
                            "POST api:bank_transaction_create_entry",
                        ),
                    ),
                    Feature(
                        "reconcile",
                        "Reconcile the bank",
                        routes=(
                            "POST banking:reconciliation_finish",
                            "POST api:reconciliation_finish",
                        ),
                        starts=("POST banking:reconciliation_new", "POST api:reconciliation_list"),
                    ),
                ),
                order=40,
            )
        )
        from ifm.banking import demo  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.demo import register  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("banking", demo.seed, after=("ledger", "donors", "expenses"))

        from ifm.banking.imports import tasks as import_jobs  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.core.tasks import job_failed  # noqa: PLC0415 (ready(): the app registry is loaded)

        job_failed.connect(import_jobs.on_job_failed, dispatch_uid="ifm.banking.import_jobs")

        from ifm.banking.matching import dashboard  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register as register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles("finance", dashboard.finance_tiles, perm="banking.view")
