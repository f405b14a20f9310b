from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "ifm.volunteers"
    label = "volunteers"
    verbose_name = "Volunteers"

    def ready(self) -> None:
        from ifm.tenancy.modules import Feature, Module, register_module  # noqa: PLC0415 (ready(): the app registry is loaded)

        register_module(
            Module(
                key="volunteers",
                name="Volunteers",
                description="Volunteers, opportunities, shifts and sign-ups, the kiosk, hours.",
                url_namespaces=("volunteers", "volunteer_public"),
                api_tags=("volunteers",),
                features=(
                    Feature(
                        "volunteer_create",
                        "Add a volunteer",
                        routes=("POST volunteers:volunteer_new", "POST api:volunteer_list"),
                        starts=("GET volunteers:volunteer_new",),
                    ),
                    Feature(
                        "shift_schedule",
                        "Schedule a shift",
                        routes=("POST volunteers:shift_new", "POST api:shift_list"),
                    ),
                    Feature(
                        "shift_signup",
                        "Sign a volunteer up",
                        routes=("POST volunteers:shift_signup_add", "POST api:shift_signup_list"),
                    ),
                    Feature(
                        "kiosk_check_in",
                        "Check in at the kiosk",
                        routes=(
                            "POST volunteers:kiosk_check_in",
                            "POST volunteers:kiosk_walk_in",
                            "POST api:signup_check_in",
                        ),
                    ),
                    Feature(
                        "hours_log",
                        "Log volunteer hours",
                        routes=("POST volunteers:hours_new", "POST api:hours_list"),
                    ),
                    Feature(
                        "hours_approve",
                        "Approve volunteer hours",
                        routes=(
                            "POST volunteers:hours_approve",
                            "POST volunteers:hours_queue_approve",
                            "POST api:hours_approve",
                            "POST api:hours_approve_many",
                        ),
                    ),
                ),
                order=60,
            )
        )
        # Each area registers its demo step, dashboard tiles, search provider and signal
        # receivers in its own `hooks.ready()`.
        from ifm.volunteers.hours import hooks as hours_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.volunteers.kiosk import hooks as kiosk_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.volunteers.people import hooks as people_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.volunteers.public import hooks as public_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.volunteers.shifts import hooks as shifts_hooks  # noqa: PLC0415 (ready(): the app registry is loaded)

        for hooks in (people_hooks, shifts_hooks, public_hooks, kiosk_hooks, hours_hooks):
            hooks.ready()
