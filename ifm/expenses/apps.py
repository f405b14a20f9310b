from django.apps import AppConfig


class ExpensesConfig(AppConfig):
    name = "ifm.expenses"
    label = "expenses"
    verbose_name = "Expenses"
