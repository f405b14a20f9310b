from django.apps import AppConfig
from django.core import checks


class TenancyConfig(AppConfig):
    name = "ifm.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from ifm.tenancy import db  # noqa: F401, PLC0415  (connects the PostgreSQL role and org-setting hooks)
        from ifm.tenancy.checks import tenant_models_keep_tenant_manager  # noqa: PLC0415 (ready(): the app registry is loaded)

        checks.register(tenant_models_keep_tenant_manager, checks.Tags.models)

        from ifm.core.tasks import register_org_job_gate  # noqa: PLC0415 (ready(): the app registry is loaded)
        from ifm.tenancy.modules import job_refusal  # noqa: PLC0415 (ready(): the app registry is loaded)

        # An organization's job of a module it has not enabled does not run.
        register_org_job_gate(job_refusal)
