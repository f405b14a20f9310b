from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "ifm.donors"
    label = "donors"
    verbose_name = "Donors"

    def ready(self) -> None:
        from ifm.tenancy.modules import Feature, Module, register_module  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_module(
            Module(
                key="donors",
                name="Donors, donations and receipts",
                description="Donors and households, gifts and batches, pledges, campaigns, "
                "receipts and year-end statements, donor imports.",
                url_namespaces=("donors",),
                api_tags=(
                    "donors",
                    "households",
                    "gift batches",
                    "pledges",
                    "campaigns and compliance",
                    "receipts",
                    "donor imports and exports",
                    "donor lists",
                ),
                core=True,
                features=(
                    Feature(
                        "donation_record",
                        "Record a donation",
                        routes=("POST donors:donation_new", "POST api:donation_record"),
                        starts=("GET donors:donation_new",),
                    ),
                    Feature(
                        "donor_create",
                        "Add a donor",
                        routes=("POST donors:donor_new", "POST api:donor_list"),
                        starts=("GET donors:donor_new",),
                    ),
                    Feature(
                        "donor_search",
                        "Search donors",
                        routes=("GET donors:donor_list", "GET api:donor_list"),
                    ),
                    Feature(
                        "gift_batch_post",
                        "Post a gift batch",
                        routes=("POST donors:gift_batch_post", "POST api:gift_batch_post"),
                    ),
                    Feature(
                        "receipt_issue",
                        "Issue a receipt",
                        routes=("POST donors:donation_receipt", "POST api:receipt_issue"),
                        starts=("GET donors:donation_detail",),
                    ),
                    Feature(
                        "year_end_statements",
                        "Run year-end statements",
                        routes=("POST donors:receipt_year_end", "POST api:year_end_start"),
                    ),
                    Feature(
                        "donor_import",
                        "Import donors",
                        routes=("POST donors:donor_import_commit", "POST api:import_create"),
                        starts=("GET donors:donor_import_new",),
                    ),
                ),
                order=20,
            )
        )
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
