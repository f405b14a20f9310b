from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "ifm.banking"
    label = "banking"
    verbose_name = "Banking"

    def ready(self) -> None:
        from ifm.banking import demo  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.demo import register  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("banking", demo.seed, after=("ledger", "donors", "expenses"))

        from ifm.banking.imports import tasks as import_jobs  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.core.tasks import job_failed  # noqa: PLC0415 (ready(): the app registry is loaded)

        job_failed.connect(import_jobs.on_job_failed, dispatch_uid="ifm.banking.import_jobs")

        from ifm.banking.matching import dashboard  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register as register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles("finance", dashboard.finance_tiles, perm="banking.view")
