from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "ifm.donors"
    label = "donors"
    verbose_name = "Donors"

    def ready(self) -> None:
        from ifm.core.tasks import job_failed  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.donors.imports import tasks as import_jobs  # noqa: PLC0415 (ready(): the app registry is loaded)

        job_failed.connect(import_jobs.on_job_failed, dispatch_uid="ifm.donors.import_jobs")

        from ifm.donors import demo  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.demo import register  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("donors", demo.seed, after=("ledger",))

        from ifm.donors import dashboard  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register as register_tiles  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_tiles("fundraising", dashboard.fundraising_tiles, perm="donors.view")
        from ifm.donors import global_search  # noqa: PLC0415 (ready(): the app registry is loaded)

        global_search.register_providers()
