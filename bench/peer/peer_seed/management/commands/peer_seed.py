"""Bulk-seed django-helpdesk with the benchmark's shape (N tickets, 1-5 follow-ups each).

    manage.py peer_seed --tickets 100000 [--seed 7] [--no-progress]

3 queues (our 3 teams), 50 customer companies with --per-company users each (submitter_email
and a Django user with that address, so the customer views work), 6 staff users, tickets over
the last two years in every status, one customer owning 2,000 tickets. Rows go in with COPY on
PostgreSQL and executemany on SQLite, in batches, with explicit ids. Prints one JSON line of
facts at the end.
"""

import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from helpdesk.models import FollowUp, Queue, Ticket, UserSettings

from peer_seed import textgen

PASSWORD = "peer-bench"  # noqa: S105 - the benchmark logs in with it; not a secret
STAFF = 6
HEAVY_TICKETS = 2000
BATCH = 5000
QUEUES = [
    ("soporte", "Soporte general"),
    ("tecnico", "Soporte técnico"),
    ("facturacion", "Facturación"),
]
# status, weight for old tickets, weight for tickets of the last 30 days
STATUSES = [
    (Ticket.OPEN_STATUS, 4, 50),
    (Ticket.REOPENED_STATUS, 1, 10),
    (Ticket.RESOLVED_STATUS, 10, 25),
    (Ticket.CLOSED_STATUS, 80, 12),
    (Ticket.DUPLICATE_STATUS, 5, 3),
]


class Rows:
    """Writes rows of one model with raw SQL: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, model):
        self.table = model._meta.db_table
        self.columns = [f.column for f in model._meta.concrete_fields]
        self.pending = []
        self.postgres = connection.vendor == "postgresql"

    def add(self, row):
        self.pending.append(row)
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in self.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor
                with raw.copy(f"COPY {qn(self.table)} ({cols}) FROM STDIN") as copy:
                    for row in self.pending:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {qn(self.table)} ({cols}) VALUES ({marks})",
                    self.pending,
                )
        self.pending = []


def db_datetime(value):
    """A UTC datetime as the backend stores it (SQLite: naive ISO text)."""
    if connection.vendor == "sqlite":
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return value


def db_bool(value):
    return int(value) if connection.vendor == "sqlite" else value


def next_id(model):
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT MAX(id) FROM {table}")
        return (cursor.fetchone()[0] or 0) + 1


def reset_sequences(models):
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest explicit id by itself
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


class Command(BaseCommand):
    help = "Bulk-seed django-helpdesk for the speed benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, required=True)
        parser.add_argument("--per-company", type=int, default=10)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        started = time.perf_counter()
        rng = random.Random(options["seed"])
        people = self.people(rng, options["per_company"])
        seeded = time.perf_counter()
        counts = self.tickets(rng, options["tickets"], people, not options["no_progress"])
        facts = {
            "tickets": counts[0],
            "followups": counts[1],
            "customers": len(people["customers"]),
            "staff": len(people["staff"]),
            "queues": len(QUEUES),
            "heavy_customer": people["heavy"],
            "heavy_tickets": counts[2],
            "staff_user": people["staff"][0][1],
            "password": PASSWORD,
            "vendor": connection.vendor,
            "seconds_people": round(seeded - started, 2),
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(json.dumps(facts))

    def people(self, rng, per_company):
        User = get_user_model()
        mailbox = settings.PEER_MAILBOX_DIR
        mailbox.mkdir(parents=True, exist_ok=True)
        for slug, title in QUEUES:
            Queue.objects.update_or_create(
                slug=slug,
                defaults={
                    "title": title,
                    "email_address": f"{slug}@helpdesk.test",
                    "allow_public_submission": slug == "soporte",
                    "allow_email_submission": slug == "soporte",
                    "email_box_type": "local" if slug == "soporte" else None,
                    "email_box_local_dir": str(mailbox) if slug == "soporte" else None,
                    "email_box_interval": 0,
                    "logging_type": "none",
                },
            )
        password = make_password(PASSWORD)  # hashed once, shared by every seeded user
        staff = []
        for i in range(1, STAFF + 1):
            user, _ = User.objects.update_or_create(
                username=f"agente{i}",
                defaults={
                    "email": f"agente{i}@helpdesk.test",
                    "is_staff": True,
                    "is_superuser": i == 1,
                    "password": password,
                },
            )
            UserSettings.objects.get_or_create(user=user)  # the post_save signal may have made it
            staff.append((user.id, user.username))
        customers = []
        existing = set(User.objects.filter(is_staff=False).values_list("username", flat=True))
        new_users = []
        for company in range(50):
            name, city = textgen.company(company)
            domain = f"{textgen.ascii_slug(name)}{company}.test"
            for k in range(per_company):
                first, last = textgen.person(rng)
                username = f"c{company}-{k}"
                email = f"{username}@{domain}"
                customers.append((email, city))
                if username not in existing:
                    new_users.append(
                        User(
                            username=username,
                            email=email,
                            first_name=first,
                            last_name=last,
                            password=password,
                        )
                    )
        User.objects.bulk_create(new_users, batch_size=BATCH)
        with_settings = UserSettings.objects.values_list("user_id", flat=True)
        UserSettings.objects.bulk_create(
            [UserSettings(user=u) for u in User.objects.exclude(id__in=with_settings)],
            batch_size=BATCH,
        )
        return {
            "staff": staff,
            "customers": customers,
            "heavy": {"username": "c0-0", "email": customers[0][0]},
        }

    def tickets(self, rng, n, people, progress):
        queues = list(
            Queue.objects.filter(slug__in=[s for s, _ in QUEUES]).values_list("id", flat=True)
        )
        staff_ids = [sid for sid, _ in people["staff"]]
        customers = people["customers"]
        heavy_email = people["heavy"]["email"]
        heavy_count = min(HEAVY_TICKETS, n // 2)
        heavy_every = max(1, n // heavy_count) if heavy_count else 0
        now = datetime.now(UTC)
        span = 2 * 365 * 24 * 3600
        ticket_rows, followup_rows = Rows(Ticket), Rows(FollowUp)
        tid, fid = next_id(Ticket), next_id(FollowUp)
        user_of = dict(get_user_model().objects.filter(is_staff=False).values_list("email", "id"))
        status_old = [s for s, _, _ in STATUSES], [w for _, w, _ in STATUSES]
        status_new = [s for s, _, _ in STATUSES], [w for _, _, w in STATUSES]
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=n, unit="ticket", desc="django-helpdesk", mininterval=0.5)
        followups = heavy = 0
        with transaction.atomic():
            for i in range(n):
                # ids ascend with creation date, as they would in a real helpdesk
                created = now - timedelta(seconds=span * (1 - (i + rng.random()) / n))
                if heavy_count and i % heavy_every == 0 and heavy < heavy_count:
                    email, city = heavy_email, customers[0][1]
                    heavy += 1
                else:
                    # anyone but the heavy customer (index 0)
                    email, city = customers[1 + rng.randrange(len(customers) - 1)]
                recent = (now - created).days < 30
                statuses, weights = status_new if recent else status_old
                status = rng.choices(statuses, weights)[0]
                title, body, thing = textgen.ticket_text(rng, city)
                assigned = rng.choice(staff_ids) if rng.random() < 0.75 else None
                due = created + timedelta(hours=rng.randint(4, 120)) if rng.random() < 0.6 else None
                messages = rng.randint(1, 5)
                step = timedelta(minutes=rng.randint(5, 600))
                last = created + step * (messages - 1)
                modified = last
                resolution = None
                if status in (Ticket.RESOLVED_STATUS, Ticket.CLOSED_STATUS):
                    resolution = textgen.agent_reply(rng, thing)
                row = {
                    "id": tid,
                    "title": title,
                    "queue_id": queues[rng.randrange(3)],
                    "created": db_datetime(created),
                    "modified": db_datetime(modified),
                    "submitter_email": email,
                    "assigned_to_id": assigned,
                    "status": status,
                    "on_hold": db_bool(False),
                    "description": body,
                    "resolution": resolution,
                    "priority": rng.choice((1, 2, 3, 3, 3, 4, 5)),
                    "due_date": db_datetime(due) if due else None,
                    "last_escalation": None,
                    "secret_key": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "kbitem_id": None,
                    "merged_to_id": None,
                }
                ticket_rows.add([row[c] for c in ticket_rows.columns])
                customer_id = user_of.get(email)
                for m in range(messages):
                    when = created + step * m
                    if m == 0:
                        ftitle, comment, public, user = "Ticket Opened", body, True, customer_id
                    elif m % 2 == 1:
                        if rng.random() < 0.15:
                            ftitle, comment, public = "Comment", textgen.internal_note(rng), False
                        else:
                            ftitle, comment, public = (
                                "Comment",
                                textgen.agent_reply(rng, thing),
                                True,
                            )
                        user = assigned or staff_ids[0]
                    else:
                        ftitle, comment, public = "Comment", textgen.customer_reply(rng), True
                        user = customer_id
                    new_status = (
                        status if m == messages - 1 and status != Ticket.OPEN_STATUS else None
                    )
                    frow = {
                        "id": fid,
                        "ticket_id": tid,
                        "date": db_datetime(when),
                        "title": ftitle,
                        "comment": comment,
                        "public": db_bool(public),
                        "user_id": user,
                        "new_status": new_status,
                        "message_id": None,
                        "time_spent": None,
                        "email_recipients": None,
                    }
                    followup_rows.add([frow[c] for c in followup_rows.columns])
                    fid += 1
                followups += messages
                tid += 1
                if bar is not None and i % 1000 == 999:
                    bar.update(1000)
            ticket_rows.flush()
            followup_rows.flush()
            reset_sequences([Ticket, FollowUp])
        if bar is not None:
            bar.update(n - bar.n)
            bar.close()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        return n, followups, heavy
