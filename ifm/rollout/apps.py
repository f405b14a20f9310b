from django.apps import AppConfig


class RolloutConfig(AppConfig):
    name = "ifm.rollout"
    label = "rollout"
    verbose_name = "Rollout"

    def ready(self) -> None:
        from ifm.core.migration_defaults import remake_after_flush  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.demo import register  # noqa: PLC0415 (as above)
        from ifm.rollout import comms_sources, demo  # noqa: PLC0415 (as above)
        from ifm.rollout.defaults import ensure_default_phases  # noqa: PLC0415 (as above)

        remake_after_flush(self, ensure_default_phases)

        # Last: a pilot organization keeps the data of the modules its phase turns off.
        register(
            "rollout",
            demo.seed,
            after=("ledger", "donors", "expenses", "banking", "volunteers", "reports"),
        )
        # Audiences by phase and wave, and merge fields about the phase, for communications.
        comms_sources.register()
