"""Enqueue the periodic tasks at the start of every minute (run ONE next to the db_worker)."""

import signal
import sys
import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

PERIODIC = (
    "ventanilla.sla.tasks.sla_sweep",
    "ventanilla.sla.tasks.sla_automations",
    "ventanilla.mail.tasks.retry_outbox",
    "ventanilla.mail.tasks.fetch_mailboxes",  # IMAP polling + mail held for approved senders
)


def periodic_tasks():
    from django.utils.module_loading import import_string

    return [import_string(path) for path in PERIODIC]


def enqueue_all():
    return [task.enqueue() for task in periodic_tasks()]


class Command(BaseCommand):
    help = _(
        "Enqueue the periodic tasks (SLA sweep, automations, outbox retry, mailbox polling) "
        "every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=_("Enqueue once and exit."))
        parser.add_argument("--interval", type=float, default=60.0)

    def handle(self, *args, once=False, interval=60.0, **options):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            enqueue_all()
            if once:
                return
            try:
                time.sleep(interval - time.time() % interval)  # aligned on the minute
            except KeyboardInterrupt:
                return
