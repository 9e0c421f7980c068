from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ventanilla.core"
    label = "core"

    def ready(self):
        from ventanilla.core import checks  # noqa: F401  (registers the system checks)
