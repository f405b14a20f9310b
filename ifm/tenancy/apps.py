from django.apps import AppConfig
from django.core import checks


class TenancyConfig(AppConfig):
    name = "ifm.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from ifm.tenancy import db  # noqa: F401  (connects the PostgreSQL role and org-setting hooks)
        from ifm.tenancy.checks import tenant_models_keep_tenant_manager

        checks.register(tenant_models_keep_tenant_manager, checks.Tags.models)
