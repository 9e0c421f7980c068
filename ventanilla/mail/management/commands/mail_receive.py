import sys

from django.core.management.base import BaseCommand

from ventanilla.mail.intake import inbound_receive
from ventanilla.mail.models import InboundEmail

EX_TEMPFAIL = 75  # sysexits: the MTA keeps the message and tries again


class Command(BaseCommand):
    help = "Receive one raw message on standard input (for an MTA pipe, e.g. Postfix)."

    def add_arguments(self, parser):
        parser.add_argument("--recipient", action="append", default=[], help="envelope recipient")

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        try:
            row = inbound_receive(raw, InboundEmail.Source.PIPE, envelope_to=options["recipient"])
        except Exception as error:  # not even stored: let the MTA retry
            self.stderr.write(f"could not store the message: {error}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(f"{row.pk} {row.state} {row.reason}".strip())
