from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "ventanilla.console"
    label = "console"
