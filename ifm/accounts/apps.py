from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ifm.accounts"
    label = "accounts"
