from django.apps import AppConfig


class BankingConfig(AppConfig):
    name = "ifm.banking"
    label = "banking"
    verbose_name = "Banking"
