"""Bulk seeding for the speed benchmarks: N cases with history, in minutes even at a million.

    .venv/bin/python bench/seed.py --tickets 100000          # into the configured database

The demo's catalogue, teams, agents and six customers (with their demo logins) come first, through
the domain services (`build_demo(tickets=0)`); then more organisations up to 50, with regions, sites
and contacts; then the cases, their messages, events and live SLA clocks, generated in chunks and
written with PostgreSQL's COPY or SQLite's executemany, bypassing the services (which cost
milliseconds each: fine for a person, minutes per 10,000 for a seeder). Case numbers continue the
series' counters, so cases opened afterwards through the services get the next numbers.

The demo customer (`DEMO_CUSTOMER`) requests `--customer-cases` of them (2,000 by default): the
"customer with 2k cases" of the benchmarks.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC as _UTC
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ORGANIZATIONS = 50
CHUNK = 20_000
DEMO_CUSTOMER = "customer"  # demo registry key of the customer with many cases
YEARS = 2

# Share of cases per status, newest cases first: the open ones are recent, the old ones done.
OPEN_SHARE = 0.08
OPEN_MIX = [
    ("waiting_for_support", 30),
    ("in_progress", 30),
    ("waiting_on_customer", 15),
    ("escalated", 10),
    ("pending", 8),
    ("scheduled", 7),
]
DONE_MIX = [("closed", 80), ("resolved", 12), ("cancelled", 8)]

SITE_WORDS = ["Central", "Norte", "Sur", "Este", "Oeste", "Puerto", "Centro", "Polígono"]
CITIES = ["Madrid", "Bilbao", "Valencia", "Sevilla", "Zaragoza", "Oviedo", "Murcia", "Vigo"]
COMPANY_WORDS = [
    ("Transportes", "S.L."),
    ("Conservas", "S.A."),
    ("Clínica", "S.L."),
    ("Ferretería", "S.L."),
    ("Hoteles", "S.A."),
    ("Talleres", "S.L."),
    ("Distribuciones", "S.A."),
    ("Asesoría", "S.L."),
]
SURNAMES = ["García", "López", "Martín", "Ruiz", "Iglesias", "Ortega", "Navarro", "Domínguez"]
FIRST_NAMES = ["Ana", "Jorge", "Lucía", "Pedro", "Elena", "Raúl", "Marta", "Iván", "Sara", "Luis"]
EXTRA_SENTENCES = [
    "Nos corre prisa porque afecta a la facturación del mes.",
    "Ha empezado después de la última actualización.",
    "Lo hemos reiniciado dos veces y sigue igual.",
    "Solo pasa en uno de los puestos de la sede.",
    "Adjunto el registro del error por si ayuda.",
    "El proveedor de comunicaciones dice que por su parte está todo correcto.",
    "Ayer por la tarde funcionaba sin problemas.",
    "Necesitamos tenerlo resuelto antes del cierre trimestral.",
    "Los usuarios no pueden imprimir los albaranes.",
    "La copia de seguridad nocturna no terminó.",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--customer-cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    facts = seed(args.tickets, customer_cases=args.customer_cases, seed=args.seed)
    print(facts)


def seed(n, *, customer_cases=2000, seed=7, progress=True):
    """Seed `n` cases (with the base data first if missing). Returns facts for the report."""
    from django.db import connection

    from ventanilla.demo.builder import build_demo, demo_exists

    started = time.perf_counter()
    rng = random.Random(seed)
    if not demo_exists():
        build_demo(tickets=0)
    world = _world(rng)
    base_seconds = time.perf_counter() - started
    writer = _Writer(connection)
    made = _tickets(world, writer, n, rng, customer_cases=customer_cases, progress=progress)
    writer.finish()
    index_seconds = _search_index(progress)
    _analyze(connection)
    return {
        "tickets": n,
        "messages": made["messages"],
        "events": made["events"],
        "clocks": made["clocks"],
        "organizations": len(world.orgs),
        "contacts": sum(len(c) for c in world.contacts.values()),
        "base_seconds": round(base_seconds, 1),
        "bulk_seconds": round(made["seconds"], 1),
        "search_index_seconds": round(index_seconds, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
        "customer": world.customer.email,
    }


# ---- the people and places -----------------------------------------------------------------


class _World:
    orgs: list
    sites: dict  # org id -> [(site id, region id)]
    contacts: dict  # org id -> [(contact id, user id, site id)]
    products: list  # [(product id, [version ids])]
    request_types: list
    teams: list  # [(team id, tier)]
    agents: dict  # team id -> [user ids]
    customer: object  # the demo Contact with many cases
    policy_id: int | None


def _world(rng):
    from django.contrib.auth.hashers import make_password

    from ventanilla.accounts.models import User
    from ventanilla.catalog.models import Product, RequestType
    from ventanilla.demo import data
    from ventanilla.organizations.models import Contact, Organization, Region, Site
    from ventanilla.sla.models import SlaPolicy
    from ventanilla.staff.models import Agent, Team

    existing = Organization.objects.count()
    password = make_password(data.DEMO_PASSWORD)  # one hash for every bench contact
    for i in range(existing, ORGANIZATIONS):
        word, form = COMPANY_WORDS[i % len(COMPANY_WORDS)]
        city = CITIES[i % len(CITIES)]
        org = Organization.objects.create(
            name=f"{word} {SURNAMES[i % len(SURNAMES)]} {city} {i} {form}",
            code=f"CB{i:05d}",
            tax_id=data.cif("B", f"{7_100_000 + i}"),
            city=city,
            email_domain=f"cliente{i}.test",
        )
        regions = Region.objects.bulk_create(
            [Region(organization=org, name=f"Zona {w}") for w in ("Norte", "Sur")]
        )
        sites = Site.objects.bulk_create(
            [
                Site(
                    organization=org,
                    region=regions[k % 2],
                    name=f"Sede {SITE_WORDS[k]} {city}",
                    city=city,
                )
                for k in range(3)
            ]
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"persona{k}@cliente{i}.test",
                    full_name=f"{FIRST_NAMES[k % 10]} {SURNAMES[(i + k) % 8]}",
                    password=password,
                )
                for k in range(12)
            ]
        )
        Contact.objects.bulk_create(
            [
                Contact(
                    organization=org,
                    user=user,
                    name=user.full_name,
                    email=user.email,
                    site=sites[k % 3],
                    region=sites[k % 3].region,
                    role=Contact.Role.ORG_ADMIN if k == 0 else Contact.Role.REQUESTER,
                )
                for k, user in enumerate(users)
            ]
        )
    world = _World()
    world.orgs = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    world.sites = {}
    for pk, org, region in Site.objects.values_list("pk", "organization_id", "region_id"):
        world.sites.setdefault(org, []).append((pk, region))
    world.contacts = {}
    active = Contact.objects.filter(state=Contact.State.ACTIVE)
    for pk, org, user, site in active.values_list("pk", "organization_id", "user_id", "site_id"):
        world.contacts.setdefault(org, []).append((pk, user, site))
    world.products = [
        (p.pk, [v.pk for v in p.versions.all()])
        for p in Product.objects.prefetch_related("versions")
    ]
    world.request_types = list(RequestType.objects.values_list("pk", flat=True))
    world.teams = list(Team.objects.order_by("tier").values_list("pk", "tier"))
    world.agents = {}
    for user, team in Agent.objects.filter(teams__isnull=False).values_list("user_id", "teams"):
        world.agents.setdefault(team, []).append(user)
    customer_email = next(data.person_email(p[1], p[3]) for p in data.PEOPLE if p[0] == "customer")
    world.customer = Contact.objects.get(email=customer_email, state=Contact.State.ACTIVE)
    policy = SlaPolicy.objects.filter(kind="contractual", is_active=True).order_by("position")
    world.policy_id = policy.values_list("pk", flat=True).first()
    rng.shuffle(world.orgs)
    return world


# ---- the cases ------------------------------------------------------------------------------


def _texts():
    from ventanilla.demo import texts

    return texts


def _fill(template, rng, number=""):
    return template.format(
        first=rng.choice(FIRST_NAMES),
        site=f"la sede {rng.choice(SITE_WORDS)}",
        version="12.1",
        n=rng.randrange(2, 40),
        hour=f"{rng.randrange(8, 19)}:{rng.choice(('00', '15', '30', '45'))}",
        colleague=rng.choice(_texts().COLLEAGUES),
        number=number,
        agent="Nuria Campos",
        date="el lunes",
    )


class _TextPool:
    """A few filled variants of each text, made once: filling every text anew costs more than
    writing its row."""

    VARIANTS = 12

    def __init__(self, rng):
        self.rng = rng
        self.variants = {}

    def pick(self, template, number=""):
        choices = self.variants.get(template)
        if choices is None:
            keep = "{number}"  # filled per case below
            choices = [_fill(template, self.rng, keep) for _ in range(self.VARIANTS)]
            self.variants[template] = choices
        text = self.rng.choice(choices)
        return text.replace("{number}", number) if "{number}" in text else text


def _tickets(world, writer, n, rng, *, customer_cases, progress):
    from django.conf import settings
    from django.utils import timezone

    from ventanilla.sla.models import SlaClock
    from ventanilla.tickets.models import Event, Message, Ticket, TicketCounter

    texts = _texts()
    cases = texts.CASES
    pool = _TextPool(rng)
    now = timezone.now().replace(microsecond=0)
    span = timedelta(days=365 * YEARS)
    series = settings.VENTANILLA_TICKET_SERIES
    counters = {
        c.year: c.last for c in TicketCounter.objects.filter(series=series)
    }  # continue numbering after what exists
    ticket_id = _next_id(Ticket)
    message_id = _next_id(Message)
    event_id = _next_id(Event)
    clock_id = _next_id(SlaClock)
    open_statuses = _weighted(OPEN_MIX)
    done_statuses = _weighted(DONE_MIX)
    org_weights = [1 + (k % 7) ** 2 for k in range(len(world.orgs))]  # a few big customers
    all_agents = [u for users in world.agents.values() for u in users]
    customer = world.customer
    made = {"messages": 0, "events": 0, "clocks": 0}
    started = time.perf_counter()
    bar = _progress(n, progress)
    # Oldest first, so ids and numbers grow with time as in real life.
    for chunk_start in range(0, n, CHUNK):
        size = min(CHUNK, n - chunk_start)
        tickets, messages, events, clocks = [], [], [], []
        for k in range(size):
            position = chunk_start + k  # 0 = oldest
            age = span * (1 - (position + rng.random()) / n)
            created = now - age
            is_open = position >= n * (1 - OPEN_SHARE)
            status = rng.choice(open_statuses if is_open else done_statuses)
            if position % max(1, n // customer_cases) == 0 and customer_cases:
                org = customer.organization_id
                requester, user, site = customer.pk, customer.user_id, customer.site_id
            else:
                org = rng.choices(world.orgs, weights=org_weights)[0]
                requester, user, site = rng.choice(world.contacts[org])
            site = site or rng.choice(world.sites.get(org, [(None, None)]))[0]
            case = rng.choice(cases)
            product, versions = rng.choice(world.products)
            team, tier = world.teams[0] if rng.random() < 0.6 else rng.choice(world.teams)
            untriaged = status == "waiting_for_support"
            assignee = None if untriaged else rng.choice(world.agents.get(team) or all_agents)
            counters[created.year] = counters.get(created.year, 0) + 1
            number = f"{series}/{created.year}/{counters[created.year]}"
            replies = rng.randint(1, 5)
            last = created + timedelta(minutes=rng.randrange(5, 60 * 24 * (1 if is_open else 9)))
            last = min(last, now - timedelta(seconds=1))
            resolved = last if status in ("resolved", "closed") else None
            description = pool.pick(case.description)
            if rng.random() < 0.6:
                description += " " + rng.choice(EXTRA_SENTENCES)
            tickets.append(
                (
                    ticket_id,
                    number,
                    org,
                    site,
                    requester,
                    product,
                    rng.choice(versions) if versions else None,
                    rng.choice(world.request_types),
                    case.subject[:200],
                    description,
                    case.severity if rng.random() < 0.7 else rng.choice("ABC"),
                    rng.choice(("high", "medium", "medium", "low")),
                    status,
                    None if untriaged else team,
                    tier,
                    assignee,
                    None,
                    False,
                    "",
                    rng.choice(("web", "web", "email", "email", "phone")),
                    user,
                    created,
                    "2026-01",
                    user,
                    created,
                    last,
                    resolved,
                    resolved if status == "closed" else None,
                )
            )
            steps = [case.question, case.answer, case.solution, *texts.FIRST_REPLIES]
            for r in range(replies):
                at = created + (last - created) * (r + 1) / (replies + 1)
                staff = r % 2 == 0
                body = pool.pick(steps[r % len(steps)], number)
                messages.append(
                    (
                        message_id,
                        ticket_id,
                        "internal" if staff and rng.random() < 0.1 else "public",
                        assignee if staff else None,
                        None if staff else requester,
                        body,
                        "<p>" + body.replace("&", "&amp;").replace("<", "&lt;") + "</p>",
                        "web",
                        staff,
                        at,
                    )
                )
                message_id += 1
            events.append(
                (event_id, ticket_id, "created", user, "customer", "{}", "{}", "", created)
            )
            event_id += 1
            if status != "waiting_for_support":
                events.append(
                    (
                        event_id,
                        ticket_id,
                        "status",
                        assignee,
                        "agent",
                        '{"status": "waiting_for_support"}',
                        json.dumps({"status": status}),
                        "",
                        last,
                    )
                )
                event_id += 1
            if is_open and world.policy_id and status != "waiting_on_customer":
                due = created + timedelta(hours=rng.choice((4, 8, 24, 72)))
                clocks.append(
                    (
                        clock_id,
                        ticket_id,
                        world.policy_id,
                        "contractual",
                        "resolution",
                        8,
                        "business_hours",
                        "running",
                        created,
                        due,
                        due - (due - created) * 0.2,
                        None,
                        0.0,
                        "[]",
                        None,
                        None,
                        None,
                    )
                )
                clock_id += 1
            ticket_id += 1
        writer.rows(Ticket, TICKET_COLUMNS, tickets)
        writer.rows(Message, MESSAGE_COLUMNS, messages)
        writer.rows(Event, EVENT_COLUMNS, events)
        writer.rows(SlaClock, CLOCK_COLUMNS, clocks)
        made["messages"] += len(messages)
        made["events"] += len(events)
        made["clocks"] += len(clocks)
        bar.update(size)
    bar.close()
    for year, last in counters.items():
        TicketCounter.objects.update_or_create(series=series, year=year, defaults={"last": last})
    made["seconds"] = time.perf_counter() - started
    return made


TICKET_COLUMNS = (
    "id",
    "number",
    "organization_id",
    "site_id",
    "requester_id",
    "product_id",
    "product_version_id",
    "request_type_id",
    "subject",
    "description",
    "severity",
    "priority",
    "status",
    "team_id",
    "tier",
    "assignee_id",
    "planned_at",
    "callback_requested",
    "callback_phone",
    "channel",
    "consent_by_id",
    "consent_at",
    "consent_version",
    "created_by_id",
    "created_at",
    "last_activity_at",
    "resolved_at",
    "closed_at",
)
MESSAGE_COLUMNS = (
    "id",
    "ticket_id",
    "kind",
    "author_id",
    "author_contact_id",
    "body_text",
    "body_html",
    "channel",
    "from_staff",
    "created_at",
)
EVENT_COLUMNS = (
    "id",
    "ticket_id",
    "kind",
    "actor_id",
    "actor_kind",
    "before",
    "after",
    "note",
    "created_at",
)
CLOCK_COLUMNS = (
    "id",
    "ticket_id",
    "policy_id",
    "kind",
    "target",
    "amount",
    "unit",
    "state",
    "started_at",
    "due_at",
    "warn_at",
    "paused_since",
    "paused_minutes",
    "pauses",
    "stopped_at",
    "warned_at",
    "breached_at",
)


def _weighted(mix):
    return [value for value, weight in mix for _ in range(weight)]


def _next_id(model):
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


class _Writer:
    """Rows into tables, the fastest way each backend has; ids given, sequences fixed last."""

    def __init__(self, connection):
        self.connection = connection
        self.models = set()
        if connection.vendor == "sqlite":  # a seeding run that dies is simply run again
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-500000")

    def rows(self, model, columns, rows):
        if not rows:
            return
        self.models.add(model)
        table = model._meta.db_table
        quoted = ", ".join(self.connection.ops.quote_name(c) for c in columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
                with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("%s" for _ in columns)
                cursor.executemany(
                    f"INSERT INTO {table} ({quoted}) VALUES ({marks})",
                    [tuple(_sqlite_value(v) for v in row) for row in rows],
                )

    def finish(self):
        from django.core.management.color import no_style

        if self.connection.vendor == "postgresql":
            statements = self.connection.ops.sequence_reset_sql(no_style(), list(self.models))
            with self.connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def _sqlite_value(value):
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.astimezone(_UTC).replace(tzinfo=None).isoformat(" ")
    return value


def _search_index(progress):
    """Build the full-text index when the search module offers a bulk rebuild."""
    started = time.perf_counter()
    try:
        from ventanilla.tickets.search import search_rebuild
    except ImportError:
        return 0.0
    search_rebuild(progress=progress)
    return time.perf_counter() - started


def _analyze(connection):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress(total, enabled):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="cases", desc="Casos", smoothing=0.1)


if __name__ == "__main__":
    main()
