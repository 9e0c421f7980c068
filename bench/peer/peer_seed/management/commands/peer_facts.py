"""Print, as JSON, what the benchmark driver needs to aim its requests (ids, users, queues)."""

import json
import random

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db.models import Count, Max, Min
from helpdesk.models import Ticket


class Command(BaseCommand):
    help = "Facts about the seeded django-helpdesk data, for bench/peer/driver.py."

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=500)
        parser.add_argument("--seed", type=int, default=11)

    def handle(self, *args, **options):
        rng = random.Random(options["seed"])
        sample = options["sample"]
        bounds = Ticket.objects.aggregate(low=Min("id"), high=Max("id"), count=Count("id"))
        low, high = bounds["low"] or 0, bounds["high"] or 0
        ids = [rng.randint(low, high) for _ in range(sample)] if high else []
        tickets = {
            t.id: (t.queue.slug, t.title)
            for t in Ticket.objects.filter(id__in=ids).select_related("queue")
        }
        heavy = (
            Ticket.objects.values("submitter_email").annotate(n=Count("id")).order_by("-n").first()
        )
        heavy_email = heavy["submitter_email"] if heavy else ""
        heavy_ids = list(
            Ticket.objects.filter(submitter_email=heavy_email)
            .select_related("queue")
            .values_list("queue__slug", "id")
        )
        rng.shuffle(heavy_ids)
        User = get_user_model()
        staff = User.objects.filter(is_staff=True).order_by("id").first()
        heavy_user = User.objects.filter(email=heavy_email).first()
        other = (
            User.objects.filter(is_staff=False).exclude(email=heavy_email).order_by("id").first()
        )
        soporte = [
            {"id": tid, "title": title}
            for tid, (slug, title) in tickets.items()
            if slug == "soporte"
        ]
        facts = {
            "tickets": bounds["count"],
            "ticket_ids": list(tickets),
            "soporte_tickets": soporte,
            "staff": {"id": staff.id, "username": staff.username} if staff else None,
            "heavy": {
                "username": heavy_user.username if heavy_user else "",
                "email": heavy_email,
                "tickets": heavy["n"] if heavy else 0,
                "sample": [f"{slug}-{tid}" for slug, tid in heavy_ids[:sample]],
            },
            "other_customer": {"username": other.username, "email": other.email} if other else None,
            "customer_emails": list(
                User.objects.filter(is_staff=False).values_list("email", flat=True)[:200]
            ),
        }
        self.stdout.write(json.dumps(facts))
