from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "ifm.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from ifm.tenancy import db  # noqa: F401  (connects the PostgreSQL role and org-setting hooks)
