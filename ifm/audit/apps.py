from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "ifm.audit"
    label = "audit"
