"""Staff keyword search latency (a benchmark, not a test). Figures go to docs/search.md.

    # SQLite: a fresh file in a temp dir, N cases bulk-inserted, the index rebuilt, then measured
    .venv/bin/python bench/search_latency.py --seed 100000

    # PostgreSQL: measure an existing, already seeded and indexed database
    DATABASE_URL=postgres://… .venv/bin/python bench/search_latency.py [--rebuild]

Each query is what the console's "Todos" queue does for `?q=`: the first page (50 rows, keyset,
with SLA clocks) plus the bounded count, as a supervisor. The mix: rare words, common words,
two-word queries, a prefix of the last word, exact case numbers, and a word found in no case.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VOCAB = (  # noqa: SIM905 - a word list reads better as text
    "factura facturas facturación impresora error clave contraseña acceso usuario servidor red "
    "correo configuración actualización versión instalación licencia pantalla teclado informe "
    "pedido albarán cliente proveedor almacén nómina empleado módulo copia seguridad lento bloqueo "
    "caída conexión wifi portátil ordenador escáner etiqueta cobro banco remesa recibo iva "
    "impuesto cierre ejercicio asiento contable balance sincronización tienda terminal venta "
    "ticket caja "
    "cajón datáfono tarjeta pago certificado firma electrónica sede notificación aviso alerta "
    "sistema base datos exportar importar fichero archivo carpeta permiso perfil rol grupo agenda "
    "cita reunión calendario sms llamada teléfono móvil aplicación navegador página formulario "
    "botón menú opción ventana mensaje respuesta solicitud incidencia problema no funciona arranca "
    "imprime conecta abre guarda envía recibe muestra desde ayer hoy mañana semana mes urgente "
    "todos equipos oficina huesca zaragoza teruel madrid sevilla valencia bilbao vigo murcia cádiz"
).split()
RARE = ["xilófono", "zarzaparrilla", "quimera", "ornitorrinco", "baobab", "pangolín"]
QUERIES = {
    "rare word": ["xilofono", "zarzaparrilla", "quimera", "ornitorrinco", "pangolin"],
    "common word": ["factura", "impresora", "error", "clave", "servidor", "correo"],
    "two words": ["impresora huesca", "factura duplicada", "error servidor", "clave acceso"],
    "prefix": ["configurac", "sincroniz", "impres", "contrase"],
    "case number": [],  # filled from the database
    "no match": ["inexistentísimo", "qwertyuiop"],
    "(no search)": [""],  # the same queue page without `q`: the baseline the search adds to
}


def text(rng, words):
    out = []
    for _ in range(words):
        if rng.random() < 0.00005:
            out.append(rng.choice(RARE))
        else:
            out.append(VOCAB[min(len(VOCAB) - 1, int(rng.random() ** 2.2 * len(VOCAB)))])
    return " ".join(out)


def seed_sqlite(count, rng):
    from django.db import connection, transaction

    from ventanilla.testing.cast import build_cast

    cast = build_cast()
    contact = cast.contacts["customer"]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for start in range(0, count, 10_000):
            rows = [
                (
                    f"B/2025/{i}",
                    contact.organization_id,
                    contact.site_id,
                    contact.pk,
                    text(rng, 3 + i % 5),
                    text(rng, 15 + i % 30),
                    f"2026-01-01 00:00:{i % 60:02d}",
                )
                for i in range(start + 1, min(count, start + 10_000) + 1)
            ]
            with transaction.atomic():
                cursor.executemany(
                    "INSERT INTO tickets_ticket (number, organization_id, site_id, requester_id,"
                    " subject, description, severity, priority, status, tier,"
                    " callback_requested, callback_phone, channel, consent_version, created_at,"
                    " last_activity_at) VALUES (%s, %s, %s, %s, %s, %s, 'C', 'medium',"
                    " 'in_progress', 1, 0, '', 'web', '', %s, %s)",
                    [(*row, row[-1]) for row in rows],
                )
        cursor.execute(
            "INSERT INTO tickets_message (ticket_id, kind, body_text, body_html, channel,"
            " from_staff, created_at) SELECT id, 'public', subject || ' ' || description, '',"
            " 'web', 0, created_at FROM tickets_ticket"
        )
    print(f"seeded {count} cases in {time.perf_counter() - started:.1f} s")


def measure(repeat, rng):
    from ventanilla.accounts.models import User
    from ventanilla.tickets.models import Ticket
    from ventanilla.tickets.selectors import queue_count, queue_page

    user = (
        User.objects.filter(is_superuser=True).first()
        or User.objects.filter(agent__role="supervisor", agent__is_active=True).first()
    )
    numbers = list(Ticket.objects.order_by("?").values_list("number", flat=True)[:20])
    QUERIES["case number"] = numbers
    plan = [(kind, q) for kind, qs in QUERIES.items() for q in qs]
    timings = {kind: [] for kind in QUERIES}
    for _kind, q in plan:  # warm-up pass: caches, plans
        queue_page(user, "all", {"q": q})
    for _ in range(repeat):
        rng.shuffle(plan)
        for kind, q in plan:
            started = time.perf_counter()
            queue_page(user, "all", {"q": q})
            queue_count(user, "all", {"q": q})
            timings[kind].append((time.perf_counter() - started) * 1000)
    every = [t for ts in timings.values() for t in ts]
    print(f"{'queries':14} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, ts in [*timings.items(), ("ALL", every)]:
        if ts:
            p95 = statistics.quantiles(ts, n=20)[-1] if len(ts) > 1 else ts[0]
            print(f"{kind:14} {len(ts):5} {statistics.median(ts):8.1f} {p95:8.1f} {max(ts):8.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="SQLite: bulk-insert this many cases")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index first")
    parser.add_argument("--repeat", type=int, default=6, help="passes over the query mix")
    args = parser.parse_args()
    rng = random.Random(7)
    temp = None
    if args.seed:
        temp = tempfile.TemporaryDirectory()
        os.environ.pop("DATABASE_URL", None)
        os.environ.update(
            VENTANILLA_ENV="test",
            VENTANILLA_SQLITE_PATH=str(Path(temp.name) / "bench.sqlite3"),
            VENTANILLA_VAR_DIR=str(Path(temp.name) / "var"),
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ventanilla.tickets.search import search_rebuild

    print(f"{connection.vendor} {connection.Database.__name__}, {platform.machine()}")
    if args.seed:
        call_command("migrate", verbosity=0)
        seed_sqlite(args.seed, rng)
    if args.seed or args.rebuild:
        started = time.perf_counter()
        count = search_rebuild()
        print(f"search_rebuild: {count} cases in {time.perf_counter() - started:.1f} s")
    measure(args.repeat, rng)


if __name__ == "__main__":
    main()
