from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ventanilla.accounts"
    label = "accounts"
