"""Read pages: server time and queries per request, in-process and under gunicorn + wrk
(a benchmark, not a test).

    .venv/bin/python bench/pages.py [--tickets 5000] [--requests 200] [--db PATH]
                                    [--profile PAGE] [--wrk SECONDS] [--workers 2]

Builds a database with the test cast, a few real cases opened through the services (threads,
events, SLA clocks) and `--tickets` cases bulk-inserted around them (the customer "customer" is
the requester of 2,000 of them, or a fifth when fewer), then logs in with the Django test Client
as an agent (agent_l1) and as a customer and times `--requests` GETs of each read page with
DEBUG=False: ms per request (median and p99 over the requests) and SQL queries per request.

--db PATH       keep the SQLite file (built once, reused when it exists: seeding takes time);
                with DATABASE_URL set, that PostgreSQL database is used instead (seeded when empty).
--bench-seed    seed with the bulk seeder `bench/seed.py` (demo people) instead of the cast.
--profile PAGE  print the cProfile top entries of that page (a name from the table).
--wrk SECONDS   also start `gunicorn ventanilla.wsgi` (sync workers, `--workers`) on the same
                database and drive every page with wrk for SECONDS each (the session cookie goes in
                a header): req/s, p50 and p99.

Figures go to docs/perf-reads.md.
"""

import argparse
import cProfile
import io
import os
import platform
import pstats
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(directory, db_path):
    os.environ.update(
        VENTANILLA_ENV="bench",
        VENTANILLA_DEBUG="0",
        VENTANILLA_VAR_DIR=str(Path(directory) / "var"),
        MAIL_URL="memory:",
        DJANGO_SETTINGS_MODULE="ventanilla.settings",
    )
    if not os.environ.get("DATABASE_URL"):
        os.environ["VENTANILLA_SQLITE_PATH"] = str(db_path)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    static = Path(directory) / "var" / "static" / "staticfiles.json"
    if not static.exists():
        call_command("collectstatic", "--noinput", verbosity=0)


# ---- seeding ----


def seed(total):
    """The cast, a few real cases, then `total` bulk-inserted cases. Returns a summary dict."""
    from django.db import transaction

    from ventanilla.testing.cast import build_cast

    with transaction.atomic():
        cast = build_cast()
        real = _real_cases(cast)
    _bulk_cases(cast, total, real)
    return cast


def _real_cases(cast):
    """Cases opened and worked through the services: the case pages measure one of these."""
    from ventanilla.testing.factories import open_ticket
    from ventanilla.tickets import services
    from ventanilla.tickets.workflow import Status

    cases = []
    for i in range(12):
        ticket = open_ticket(
            cast,
            subject=f"Caso real {i}: no cuadra el IVA de las facturas rectificativas",
            severity="ABCD"[i % 4],
        )
        cases.append(ticket)
    busy = cases[0]
    services.ticket_assign(ticket=busy, by=cast.agent_l1, assignee=cast.agent_l1)
    for n in range(6):
        services.ticket_reply(
            ticket=busy,
            by=cast.agent_l1,
            text=f"Hola Lucía, ¿puedes mandarnos el fichero {n}?\n\nUn saludo,\nAna",
        )
        services.ticket_reply(
            ticket=busy, by=cast.customer, text=f"Adjunto el fichero {n}. Gracias."
        )
        services.ticket_add_note(ticket=busy, by=cast.agent_l1, text=f"Nota interna {n}")
    services.ticket_transition(ticket=busy, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    return cases


def _bulk_cases(cast, total, real, *, batch=5000):
    from django.db import transaction

    from ventanilla.organizations.models import Contact, Organization, Site
    from ventanilla.sla.models import ClockState, SlaClock
    from ventanilla.tickets.models import Ticket
    from ventanilla.tickets.workflow import COMPLETED, OPEN, Status

    rng = random.Random(7)
    now = time.time()
    from django.utils import timezone

    start = timezone.now()
    # Twenty more customer organizations, one site and one contact each.
    others = []
    for k in range(20):
        org = Organization.objects.create(
            name=f"Cliente {k:02d} S.L.", code=f"CL{k:03d}", tax_id=f"B{k:08d}"
        )
        site = Site.objects.create(organization=org, name=f"Sede {k}")
        contact = Contact.objects.create(
            organization=org, site=site, name=f"Contacto {k}", email=f"c{k}@cliente{k}.test"
        )
        others.append((org, site, contact))
    a = cast.orgs["a"]
    org_a_people = [
        (a, cast.sites["zaragoza"], cast.contacts["colleague"]),
        (a, cast.sites["huesca"], cast.contacts["admin"]),
        (a, cast.sites["sevilla"], cast.contacts["regional"]),
    ]
    mine = (a, cast.sites["zaragoza"], cast.contacts["customer"])
    customer_share = min(2000, max(1, total // 5))
    products = list(cast.products.values())
    teams = list(cast.teams.values())
    agents = [cast.agent_l1, cast.agent_l2, None, None]
    open_statuses = list(OPEN)
    done_statuses = list(COMPLETED)
    template_clock = SlaClock.objects.filter(ticket=real[1]).order_by("id").first()
    Ticket.objects.update(last_activity_at=start)
    made = 0
    while made < total:
        rows = []
        for i in range(made, min(total, made + batch)):
            if i < customer_share:
                org, site, requester = mine
            elif rng.random() < 0.15:
                org, site, requester = rng.choice(org_a_people)
            else:
                org, site, requester = rng.choice(others)
            is_open = rng.random() < 0.3
            status = rng.choice(open_statuses) if is_open else rng.choice(done_statuses)
            age = timedelta(minutes=(total - i) * 3 + rng.randint(0, 60))
            team = rng.choice(teams) if status != Status.WAITING_FOR_SUPPORT else None
            rows.append(
                Ticket(
                    number=f"C/2025/{i + 1}",
                    organization=org,
                    site=site,
                    requester=requester,
                    product=rng.choice(products),
                    subject=f"Incidencia {i + 1}: error al generar el informe mensual",
                    description="Al generar el informe aparece un error.",
                    severity=rng.choice("ABCD"),
                    priority=rng.choice(["low", "medium", "high"]),
                    status=status,
                    team=team,
                    assignee=rng.choice(agents) if team else None,
                    created_by=cast.customer,
                    created_at=start - age - timedelta(hours=1),
                    last_activity_at=start - age,
                )
            )
        with transaction.atomic():
            created = Ticket.objects.bulk_create(rows, batch_size=1000)
            if template_clock is not None:
                clocks = []
                for ticket in created:
                    if ticket.status in OPEN and rng.random() < 0.5:
                        due = start + timedelta(minutes=rng.randint(-600, 3000))
                        clocks.append(
                            SlaClock(
                                ticket=ticket,
                                policy_id=template_clock.policy_id,
                                kind="contractual",
                                target=template_clock.target,
                                amount=template_clock.amount,
                                unit=template_clock.unit,
                                state=ClockState.RUNNING,
                                started_at=ticket.created_at,
                                due_at=due,
                                warn_at=due - timedelta(hours=1),
                            )
                        )
                SlaClock.objects.bulk_create(clocks, batch_size=1000)
        made += len(rows)
        print(f"  {made:,} cases ({time.time() - now:.0f} s)", file=sys.stderr)


# ---- measuring ----


def _bench_seed_people(total):
    """Seed with bench/seed.py when the database is empty; the people and cases to measure."""
    from django.db.models import Count

    from ventanilla.organizations.models import Contact
    from ventanilla.tickets.models import Ticket

    if not Ticket.objects.exists():
        from bench.seed import seed as bulk_seed

        t0 = time.time()
        print(bulk_seed(total), file=sys.stderr)
        print(f"seeded in {time.time() - t0:.0f} s", file=sys.stderr)
    customer = (
        Contact.objects.filter(user__isnull=False)
        .annotate(n=Count("requested_tickets"))
        .order_by("-n")
        .first()
    )
    admin = Contact.objects.filter(
        organization_id=customer.organization_id, role=Contact.Role.ORG_ADMIN, user__isnull=False
    ).first()
    from ventanilla.accounts.models import User

    AGENT = "nuria.campos@ventanilla.test"  # bench/speed.py: the demo L1 agent

    users = {
        "agent_l1": User.objects.get(email=AGENT),
        "customer": customer.user,
        "admin": admin.user if admin else customer.user,
    }
    mine = Ticket.objects.filter(requester=customer).annotate(m=Count("messages"))
    busy = mine.order_by("-m", "-id").values_list("number", flat=True).first()
    return users, [busy, busy]


def _poll_query(number):
    """The customer case page's 12 s poll as the page sends it: nothing new since it loaded."""
    from ventanilla.tickets.models import Event, Message, Ticket

    ticket = Ticket.objects.get(number=number)
    last_message = Message.objects.filter(ticket=ticket, kind="public").order_by("-id").first()
    last_event = Event.objects.filter(ticket=ticket, kind="status").order_by("-id").first()
    m = last_message.pk if last_message else 0
    e = last_event.pk if last_event else 0
    return f"m={m}&e={e}&s={ticket.status}"


def _last_message_id(number):
    from ventanilla.tickets.models import Message

    last = Message.objects.filter(ticket__number=number).order_by("-id").first()
    return last.pk if last else 0


def _untriaged():
    """The newest untriaged case (casepage: its page carries the triage form)."""
    from ventanilla.tickets.models import Ticket

    untriaged = Ticket.objects.filter(status="waiting_for_support").order_by("-id")
    return untriaged.values_list("number", flat=True).first()


def pages(cast_numbers):
    busy, _other = cast_numbers
    poll = _poll_query(busy)
    return [
        # (name, role, url, htmx)
        # floor: what every request pays before its own content (anonymous login page; an
        # authenticated request answered with a redirect: session, user, role, middleware)
        ("anonymous login", "anonymous", "/cuenta/entrar/", False),
        ("agent home redirect (302)", "agent_l1", "/", False),
        ("customer home redirect (302)", "customer", "/", False),
        ("console home", "agent_l1", "/consola/", False),
        ("queue untriaged", "agent_l1", "/consola/colas/sin-cualificar/", False),
        ("queue mine", "agent_l1", "/consola/colas/mis-casos/", False),
        ("queue breaching", "agent_l1", "/consola/colas/vencimientos/", False),
        ("queue all", "agent_l1", "/consola/colas/todos/", False),
        ("queue refresh (htmx)", "agent_l1", "/consola/colas/sin-cualificar/", True),
        ("console case", "agent_l1", f"/consola/casos/{busy}/", False),
        ("console presence (htmx)", "agent_l1", f"/consola/casos/{busy}/presencia/", True),
        # floor: the heartbeat as the case page sends it (seen = its last message): nothing new
        (
            "console presence quiet (htmx)",
            "agent_l1",
            f"/consola/casos/{busy}/presencia/?seen={_last_message_id(busy)}",
            True,
        ),
        # casepage: an untriaged case (the triage form) and an action's form loaded on demand
        ("console case untriaged", "agent_l1", f"/consola/casos/{_untriaged()}/", False),
        ("console action form (htmx)", "agent_l1", f"/consola/casos/{busy}/accion/assign/", True),
        ("portal home", "customer", "/area/", False),
        ("customer list", "customer", "/area/casos/", False),
        ("customer list open", "customer", "/area/casos/?group=open", False),
        ("admin list global", "admin", "/area/casos/?scope=global", False),
        ("customer case", "customer", f"/area/casos/{busy}/", False),
        ("customer updates (htmx)", "customer", f"/area/casos/{busy}/novedades/?{poll}", True),
        # lists (issue 7, round 3): the same list pages with their rows cache off
        # (VENTANILLA_LIST_ROWS_SECONDS=0): what a first view, or a view right after one's own
        # change, costs; measured in-process only (the served run keeps the setting)
        (f"console home{NO_ROWS_CACHE}", "agent_l1", "/consola/", False),
        (f"queue untriaged{NO_ROWS_CACHE}", "agent_l1", "/consola/colas/sin-cualificar/", False),
        (f"queue mine{NO_ROWS_CACHE}", "agent_l1", "/consola/colas/mis-casos/", False),
        (f"queue breaching{NO_ROWS_CACHE}", "agent_l1", "/consola/colas/vencimientos/", False),
        (f"queue all{NO_ROWS_CACHE}", "agent_l1", "/consola/colas/todos/", False),
        (f"queue refresh{NO_ROWS_CACHE}", "agent_l1", "/consola/colas/sin-cualificar/", True),
        (f"queue search{NO_ROWS_CACHE}", "agent_l1", "/consola/colas/todos/?q=factura", False),
        ("queue search", "agent_l1", "/consola/colas/todos/?q=factura", False),
        ("queue search (htmx)", "agent_l1", "/consola/colas/todos/?q=factura", True),
        (f"portal home{NO_ROWS_CACHE}", "customer", "/area/", False),
        (f"customer list{NO_ROWS_CACHE}", "customer", "/area/casos/", False),
        (f"admin list global{NO_ROWS_CACHE}", "admin", "/area/casos/?scope=global", False),
    ]


NO_ROWS_CACHE = " ·nocache"


def rows_cache_for(name):
    """Pages named with NO_ROWS_CACHE are measured with the list rows cache off."""
    from django.test import override_settings

    if name.endswith(NO_ROWS_CACHE):
        return override_settings(VENTANILLA_LIST_ROWS_SECONDS=0)
    from contextlib import nullcontext

    return nullcontext()


def clients(cast_users):
    from django.test import Client

    result = {"anonymous": Client()}
    for role, user in cast_users.items():
        client = Client()
        client.force_login(user)
        result[role] = client
    return result


def time_page(client, url, htmx, n):
    from django.db import connection

    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(url, **headers)  # warm: templates, URL resolver, connection
    assert response.status_code == (302 if url == "/" else 200), (url, response.status_code)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, **headers)
    times, cpu = [], []
    for _ in range(n):
        t0, c0 = time.perf_counter(), time.thread_time()
        client.get(url, **headers)
        cpu.append((time.thread_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "cpu": statistics.median(cpu),
        "median": statistics.median(times),
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))],
        "queries": len(queries),
        "bytes": len(response.content),
    }


def profile_page(client, url, htmx, n, top=35):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client.get(url, **headers)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        client.get(url, **headers)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    pattern = os.environ.get("BENCH_PROFILE_GREP")
    if pattern:
        stats.sort_stats("cumulative").print_stats(pattern)
    print(out.getvalue())


# ---- gunicorn + wrk ----


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_wrk(page_list, cookies, seconds, workers, connections):
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk): skipping the served run")
        return {}
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "ventanilla.wsgi",
            "--workers",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    results = {}
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for name, role, url, htmx in page_list:
            cmd = ["wrk", "-t1", f"-c{connections}", f"-d{int(seconds)}s", "--latency"]
            cmd += ["-H", f"Cookie: sessionid={cookies[role]}"]
            if htmx:
                cmd += ["-H", "HX-Request: true"]
            warm = [*cmd[:3], "-d1s", *cmd[4:]]
            subprocess.run([*warm, f"http://127.0.0.1:{port}{url}"], capture_output=True)
            run = subprocess.run(
                [*cmd, f"http://127.0.0.1:{port}{url}"], capture_output=True, text=True
            )
            results[name] = _parse_wrk(run.stdout)
            if run.returncode or "Requests/sec" not in run.stdout:
                print(f"wrk failed on {url}: {run.stdout}{run.stderr}", file=sys.stderr)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    return results


def _parse_wrk(out):
    def latency(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not match:
            return float("nan")
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(rps[1]) if rps else float("nan"),
        "p50": latency("50"),
        "p99": latency("99"),
        "non2xx": int(errors[1]) if errors else 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--db", help="SQLite file to build once and reuse")
    parser.add_argument("--profile", help="profile this page (its name in the table)")
    parser.add_argument("--only", help="measure only pages whose name contains this")
    parser.add_argument("--wrk", type=int, default=0, help="seconds of wrk per page")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--bench-seed",
        action="store_true",
        help="seed with the lead's bulk seeder bench/seed.py (demo people) instead of the cast",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ventanilla-pages-") as directory:
        db_path = Path(args.db) if args.db else Path(directory) / "pages.sqlite3"
        keep_var = db_path.parent / (db_path.stem + "-var") if args.db else None
        setup(keep_var or directory, db_path)
        from ventanilla.accounts.models import User
        from ventanilla.tickets.models import Ticket

        if args.bench_seed:
            users, real = _bench_seed_people(args.tickets)
        else:
            if not Ticket.objects.exists():
                t0 = time.time()
                seed(args.tickets)
                print(f"seeded in {time.time() - t0:.0f} s", file=sys.stderr)
            users = {
                role: User.objects.get(email=email)
                for role, email in (
                    ("agent_l1", "agent_l1@ventanilla.test"),
                    ("customer", "lucia@talleresebro.test"),
                    ("admin", "pilar@talleresebro.test"),
                )
            }
            real = list(
                Ticket.objects.filter(subject__startswith="Caso real")
                .order_by("id")
                .values_list("number", flat=True)[:2]
            )
        page_list = pages(real)
        if args.only:
            page_list = [p for p in page_list if args.only in p[0]]
        by_role = clients(users)
        total = Ticket.objects.count()
        print(
            f"{total:,} cases; Python {platform.python_version()}; "
            f"{os.environ.get('DATABASE_URL', 'SQLite').split('@')[-1]}; "
            f"{args.requests} requests per page"
        )
        if args.profile:
            name, role, url, htmx = next(p for p in page_list if p[0] == args.profile)
            with rows_cache_for(name):
                profile_page(by_role[role], url, htmx, args.requests)
            return
        print(f"{'page':28} {'CPU ms':>7} {'ms median':>10} {'ms p99':>8} {'queries':>8} {'KB':>6}")
        for name, role, url, htmx in page_list:
            with rows_cache_for(name):
                r = time_page(by_role[role], url, htmx, args.requests)
            print(
                f"{name:28} {r['cpu']:7.2f} {r['median']:10.2f} {r['p99']:8.2f} {r['queries']:8d} "
                f"{r['bytes'] / 1024:6.1f}"
            )
        if args.wrk:
            cookies = {
                role: c.cookies["sessionid"].value if "sessionid" in c.cookies else ""
                for role, c in by_role.items()
            }
            results = run_wrk(page_list, cookies, args.wrk, args.workers, args.connections)
            cookies = {role: c.cookies["sessionid"].value for role, c in by_role.items()}
            served = [page for page in page_list if not page[0].endswith(NO_ROWS_CACHE)]
            results = run_wrk(served, cookies, args.wrk, args.workers, args.connections)
            if results:
                print(
                    f"\ngunicorn sync ×{args.workers}, wrk -c{args.connections} "
                    f"{args.wrk:g} s per page"
                )
                print(f"{'page':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
                for name, r in results.items():
                    print(
                        f"{name:28} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} "
                        f"{r['non2xx']:8d}"
                    )


if __name__ == "__main__":
    main()
