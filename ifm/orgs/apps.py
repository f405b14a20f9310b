from typing import Any

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    """An organization's own pages and tools: home, dashboard, members, settings, staff admin."""

    name = "ifm.orgs"
    label = "orgs"

    def ready(self) -> None:
        from ifm.orgs import demo, demo_members, tiles  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.orgs.dashboard import register  # noqa: PLC0415 (ready(): the app registry is loaded)

        register("admin", tiles.admin_tiles, perm="members.view")
        demo.register("members", demo_members.seed)

        from ifm.audit.readable import register_label  # noqa: PLC0415 (ready(): the app registry is loaded)

        # People are named by their name alone: "changed Jamie Lee's role".
        register_label("tenancy.membership", _member_name, select_related=("user",), noun=False)
        register_label("accounts.user", str, noun=False)
        register_label("tenancy.organization", str, noun=False)


def _member_name(membership: Any) -> str:
    user = membership.user
    return str(user.full_name or user.email)
