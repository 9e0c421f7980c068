"""Run django-helpdesk's own `get_email` over the local mailbox and report what it did.

    manage.py peer_intake --manifest FILE

FILE is JSON {"replies": {"<message-id>": expected_ticket_id, ...}} written by the driver next
to the .eml files. Times `get_email` in this process (startup excluded) and counts how many
replies landed as follow-ups on the ticket they answered.
"""

import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from helpdesk.models import FollowUp, Ticket


class Command(BaseCommand):
    help = "Time get_email over the local mailbox and check reply threading."

    def add_arguments(self, parser):
        parser.add_argument("--manifest", required=True)

    def handle(self, *args, **options):
        with open(options["manifest"], encoding="utf-8") as handle:
            manifest = json.load(handle)
        replies = manifest["replies"]
        tickets_before = Ticket.objects.count()
        followups_before = FollowUp.objects.count()
        started = time.perf_counter()
        call_command("get_email", quiet=True)
        seconds = time.perf_counter() - started
        landed = dict(
            FollowUp.objects.filter(message_id__in=list(replies)).values_list(
                "message_id", "ticket_id"
            )
        )
        threaded = sum(1 for mid, tid in replies.items() if landed.get(mid) == tid)
        facts = {
            "seconds": round(seconds, 3),
            "new_tickets": Ticket.objects.count() - tickets_before,
            "new_followups": FollowUp.objects.count() - followups_before,
            "threaded": threaded,
            "replies": len(replies),
        }
        self.stdout.write(json.dumps(facts))
