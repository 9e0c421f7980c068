"""`manage.py demo_seed`: fill an empty Ventanilla with a believable demo, once.

Running it again creates nothing (the demo organizations' client codes mark it) and only prints
the demo logins again.
"""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, reverse
from tqdm import tqdm

from ventanilla.demo import data
from ventanilla.demo.builder import DEFAULT_TICKETS, build_demo, conflicting_emails, demo_exists
from ventanilla.mail.models import OutboundEmail
from ventanilla.organizations.models import Contact, Organization
from ventanilla.tickets.models import Attachment, Message, Ticket


class Command(BaseCommand):
    help = "Create demo organizations, contacts, staff and cases (once), and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets",
            type=int,
            default=DEFAULT_TICKETS,
            help=f"How many cases to create (default {DEFAULT_TICKETS}; at least 9).",
        )
        parser.add_argument(
            "--no-progress",
            dest="progress",
            action="store_false",
            help="Do not show the progress bar (it is hidden anyway when stderr is no terminal).",
        )

    def handle(self, *args, tickets, progress, **options):
        if tickets < 9:
            raise CommandError("--tickets debe ser al menos 9 (un caso por estado).")
        if demo_exists():
            self.stdout.write("Los datos de demostración ya existen: no se ha creado nada.")
        else:
            self._build(tickets, show_progress=progress and sys.stderr.isatty())
        self._print_logins()

    def _build(self, tickets, *, show_progress):
        if taken := conflicting_emails():
            raise CommandError(
                "Estos correos de la demo ya son de otros usuarios: " + ", ".join(taken)
            )
        started = time.monotonic()

        def progress(plans):
            return tqdm(
                plans, desc="Casos", unit="caso", file=sys.stderr, disable=not show_progress
            )

        build_demo(tickets=tickets, progress=progress)
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo creada en {seconds:.1f} s."))
        self._print_counts()

    def _print_counts(self):
        organizations = Organization.objects.filter(code__in=data.DEMO_CODES)
        tickets = Ticket.objects.filter(organization__in=organizations)
        counts = [
            ("organizaciones", organizations.count()),
            ("contactos", Contact.objects.filter(organization__in=organizations).count()),
            ("casos", tickets.count()),
            ("mensajes", Message.objects.filter(ticket__in=tickets).count()),
            ("adjuntos", Attachment.objects.filter(ticket__in=tickets).count()),
            (
                "correos (marcados como enviados)",
                OutboundEmail.objects.filter(ticket__in=tickets).count(),
            ),
        ]
        self.stdout.write(", ".join(f"{count} {label}" for label, count in counts) + ".")

    def _print_logins(self):
        emails = data.login_emails()
        rows = [("Perfil", "Correo", "Contraseña", "Entrar en")]
        rows += [
            (profile, emails[key], data.DEMO_PASSWORD, _url(url_name))
            for key, profile, url_name in data.LOGINS
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            for row in rows
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write("Accesos de demostración (la misma contraseña para todos).")
        self.stdout.write(
            "Son credenciales de demostración, públicas a propósito: no las use en producción."
        )
        self.stdout.write("")
        for line in lines:
            self.stdout.write("  " + line.rstrip())


def _url(url_name):
    try:
        return settings.SITE_URL + reverse(url_name)
    except NoReverseMatch:
        return settings.SITE_URL + "/"
