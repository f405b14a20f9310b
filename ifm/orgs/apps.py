from django.apps import AppConfig


class OrgsConfig(AppConfig):
    """An organization's own pages and tools: home, dashboard, members, settings, staff admin."""

    name = "ifm.orgs"
    label = "orgs"
