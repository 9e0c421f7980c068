from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "ventanilla.organizations"
    label = "organizations"
