from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "ventanilla.tickets"
    label = "tickets"
