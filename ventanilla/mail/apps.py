from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "ventanilla.mail"
    label = "mail"

    def ready(self):
        from ventanilla.mail.stamps import connect_signals

        connect_signals()  # in-memory configuration caches (perf-writes)
