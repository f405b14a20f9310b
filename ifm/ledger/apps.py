from typing import Any

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ifm.ledger"
    label = "ledger"

    def ready(self) -> None:
        from ifm.tenancy.signals import organization_created

        organization_created.connect(_set_up_books, dispatch_uid="ledger_set_up_books")


def _set_up_books(sender: Any, organization: Any, **kwargs: Any) -> None:
    # Imported here: apps.py loads before the models, which the services import.
    from ifm.ledger.chart.services import chart_create_from_template

    chart_create_from_template(organization=organization)
