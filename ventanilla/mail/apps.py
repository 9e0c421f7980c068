from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "ventanilla.mail"
    label = "mail"
