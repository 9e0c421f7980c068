"""Speed of Ventanilla at N cases, side by side with django-helpdesk (a benchmark, not a test).

    bench/run --tickets 100000                         # SQLite, with the peer
    bench/run --tickets 1000000 --db postgres --no-peer

What one run does, in order:
1. a database for N cases in `bench/.data/<db>-<N>/` (SQLite file, or a PostgreSQL cluster of its
   own started there), seeded by bench/seed.py the first time and reused by later runs;
2. Ventanilla served as in production: gunicorn sync workers, VENTANILLA_ENV=production,
   DEBUG off, on 127.0.0.1;
3. every page target loaded with wrk at a fixed concurrency (same machine: server and load
   generator share the cores), after a warm-up; any error or unexpected status fails the run;
4. email intake (messages/s with threading, in a process of its own, against the same database),
   SLA deadline computations/s;
5. optionally a soak: a mix of agent pages at about 80 % of the measured peak for `--soak`
   seconds, with the web workers' memory sampled;
6. the same workload on django-helpdesk (bench/peer/driver.py) when it is available, and the
   ratio for each metric. Results go to bench/results/<db>-<N>.json and are printed as a table.
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from load import Target, check, fire, run_wrk  # noqa: E402

PASSWORD = "ventanilla-demo"  # noqa: S105 (the demo's published password, bench data only)
AGENT = "nuria.campos@ventanilla.test"  # demo L1 agent: many cases assigned
SEARCH_WORDS = [
    "factura",
    "facturas",
    "impresora",
    "contabilizar",
    "configuración",
    "correo",
    "copia de seguridad",
    "albaranes",
    "terminal",
    "cortafuegos",
    "actualizacion",
    "lentitud",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seconds", type=int, default=10, help="per page target")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--intake", type=int, default=2000, help="emails (half replies)")
    parser.add_argument(
        "--intake-batch",
        type=int,
        default=50,
        help="messages per transaction, as a mailbox fetch takes them (1: one at a time)",
    )
    parser.add_argument("--soak", type=int, default=0, help="seconds of soak (0: none)")
    parser.add_argument("--peer", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--peer-tickets", type=int, default=None, help="default: --tickets")
    parser.add_argument("--only", default="", help="comma-separated metric names")
    parser.add_argument("--fresh", action="store_true", help="drop the seeded data first")
    parser.add_argument("--label", default="", help="suffix of the results file name")
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="serve with the list rows and case timeline caches off (every page computed)",
    )
    parser.add_argument("--seed-only", action="store_true", help="prepare the data and stop")
    args = parser.parse_args()
    results = Bench(args).run()
    print_table(results)


class Bench:
    def __init__(self, args):
        self.args = args
        self.workdir = HERE / ".data" / f"{args.db}-{args.tickets}"
        self.only = {name for name in args.only.split(",") if name}
        self.pg = None
        self.env = {}

    # ---- the whole run ----------------------------------------------------------------------
    def run(self):
        args = self.args
        if args.fresh and self.workdir.exists():
            self._stop_pg_if_running()
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        results = {"machine": machine(), "tickets": args.tickets, "db": args.db, "metrics": {}}
        results["connections"] = args.connections
        results["page_cache"] = not args.no_page_cache
        results["started"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        try:
            self._database()
            results["seed"] = self._seed()
            if args.seed_only:
                return results
            results["metrics"].update(self._serve_and_load("ventanilla", self._targets))
            if self._wanted("email_intake"):
                results["metrics"]["email_intake"] = {"ventanilla": self._intake()}
            if self._wanted("sla_deadlines"):
                results["metrics"]["sla_deadlines"] = {"ventanilla": self._sla()}
            if args.soak:
                results["soak"] = self._soak()
            if args.peer:
                self._peer(results)
        finally:
            self._stop_pg_if_running()
        label = f"-{args.label}" if args.label else ""
        out = HERE / "results" / f"{args.db}-{args.tickets}{label}.json"
        out.parent.mkdir(exist_ok=True)
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"\nResults written to {out.relative_to(ROOT)}")
        return results

    def _wanted(self, name):
        return not self.only or name in self.only

    # ---- database -----------------------------------------------------------------------------
    def _database(self):
        var = self.workdir / "var"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ventanilla.settings",
            "VENTANILLA_ENV": "production",
            "VENTANILLA_DEBUG": "0",
            "SECURE_COOKIES": "0",  # plain HTTP on loopback
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "VENTANILLA_VAR_DIR": str(var),
            # Production refuses a file mailer; nothing sends here (no worker runs): the outbox
            # rows are written as in production and stay queued.
            "MAIL_URL": "smtp://127.0.0.1:2525",
            "DEFAULT_FROM_EMAIL": "Soporte <soporte@bench.example.com>",
            "VENTANILLA_INTAKE_FLOOD_PER_HOUR": "100000000",
            "VENTANILLA_LOGIN_MAX_FAILURES_PER_IP": "100000",
            "LOG_LEVEL": "WARNING",
        }
        if self.args.no_page_cache:
            self.env["VENTANILLA_LIST_ROWS_SECONDS"] = "0"
            self.env["VENTANILLA_FRAGMENT_SECONDS"] = "0"
        self.env.pop("DATABASE_URL", None)
        if self.args.db == "postgres":
            self.env["DATABASE_URL"] = self._start_pg()
        else:
            self.env["VENTANILLA_SQLITE_PATH"] = str(self.workdir / "ventanilla.sqlite3")
        os.environ.update(self.env)

    def _start_pg(self):
        self.pg = PostgresCluster(self.workdir / "pg", port=55440)
        self.pg.start()
        return self.pg.url

    def _stop_pg_if_running(self):
        if self.pg is not None:
            self.pg.stop()
            self.pg = None

    def _seed(self):
        marker = self.workdir / "seeded.json"
        python = sys.executable
        manage = [python, str(ROOT / "manage.py")]
        if marker.exists():
            say(f"Reusing the seeded database in {self.workdir.relative_to(ROOT)}")
            started = time.perf_counter()
            subprocess.run([*manage, "migrate", "--verbosity", "0"], env=self.env, check=True)
            facts = json.loads(marker.read_text())
            if not facts.get("search_index_seconds"):
                # seeded before the search index existed: its migration has just indexed them
                facts["search_index_seconds"] = round(time.perf_counter() - started, 1)
                marker.write_text(json.dumps(facts, indent=2))
        else:
            say(f"Seeding {self.args.tickets:,} cases ({self.args.db})")
            run = subprocess.run(
                [python, str(HERE / "seed.py"), "--tickets", str(self.args.tickets)],
                env=self.env,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            facts = eval_facts(run.stdout)
            marker.write_text(json.dumps(facts, indent=2))
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "--verbosity", "0"], env=self.env, check=True
        )
        import django

        django.setup()
        return facts

    # ---- serving and page load ------------------------------------------------------------------
    def _serve_and_load(self, label, make_targets):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = self._gunicorn(port)
        try:
            wait_http(base + "/cuenta/entrar/")
            self.base = base
            targets = make_targets(base)
            measured = {}
            for name, target in targets.items():
                if not self._wanted(name):
                    continue
                measured[name] = {label: self._load(base, target)}
            self.server = server
            if self.args.soak:
                self._soak_targets = targets
                return measured
            return measured
        finally:
            if not self.args.soak:
                stop(server)

    def _gunicorn(self, port):
        command = [
            str(Path(sys.executable).parent / "gunicorn"),
            "ventanilla.wsgi",
            "--workers",
            str(self.args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            "--error-logfile",
            str(self.workdir / "gunicorn.log"),
            "--timeout",
            "60",
        ]
        say(f"gunicorn: {self.args.workers} sync workers on 127.0.0.1:{port}")
        return subprocess.Popen(command, env=self.env, cwd=ROOT, start_new_session=True)

    def _load(self, base, target, strict=True):
        """Warm up, then measure. Ventanilla must answer every request; the peer's failures
        (timeouts of its slow pages) are recorded with its figures instead of ending the run."""
        try:
            check(base, target)
        except RuntimeError as error:
            if strict:
                raise
            say(f"{target.name:<16} failed: {str(error).splitlines()[0]}")
            return {"error": str(error).splitlines()[0]}
        connections = self.args.connections
        run_wrk(base, target, seconds=2, connections=connections)  # warm-up
        result = run_wrk(base, target, seconds=self.args.seconds, connections=connections)
        say(
            f"{target.name:<16} {result.per_second:>8.1f} req/s  p50 {result.p50_ms:6.1f} ms"
            f"  p95 {result.p95_ms:6.1f}  p99 {result.p99_ms:6.1f}"
            f"  errors {result.errors + result.bad_status}"
        )
        if strict and (result.errors or result.bad_status):
            raise RuntimeError(f"{target.name}: {result.errors} errors, {result.bad_status} bad")
        return result.as_dict()

    def _targets(self, base):
        from ventanilla.catalog.models import Product, RequestType
        from ventanilla.organizations.models import Contact
        from ventanilla.tickets.models import Ticket

        rng = random.Random(11)
        agent = login(base, AGENT, PASSWORD)
        customer_contact = Contact.objects.get(email=self._customer_email(), state="active")
        customer = login(base, customer_contact.email, PASSWORD)
        numbers = list(Ticket.objects.order_by("?").values_list("number", flat=True)[:300])
        mine = list(
            Ticket.objects.filter(requester=customer_contact)
            .order_by("?")
            .values_list("number", flat=True)[:300]
        )
        product = Product.objects.filter(is_active=True).order_by("pk").first()
        request_type = RequestType.objects.filter(is_active=True).order_by("pk").first()
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": customer["csrf"],
                "request_type": request_type.pk,
                "product": product.pk,
                "severity": "C",
                "subject": "No imprime los albaranes desde el terminal 3",
                "description": "Desde esta mañana el terminal 3 no imprime los albaranes; "
                "el resto sí. Ya hemos reiniciado la impresora.",
                "consent": "on",
            }
        ).encode()
        quote = urllib.parse.quote
        return {
            # The floor on this machine, for reading the other figures: what gunicorn + wrk do
            # for a static file (WhiteNoise) and for Django's cheapest page (anonymous, a form).
            "floor_static": Target(name="floor_static", paths=["/static/css/ventanilla.css"]),
            "floor_anonymous": Target(name="floor_anonymous", paths=["/cuenta/entrar/"]),
            "queue_new": agent_target("queue_new", ["/consola/colas/sin-cualificar/"], agent),
            "queue_mine": agent_target("queue_mine", ["/consola/colas/mis-casos/"], agent),
            "queue_breaching": agent_target(
                "queue_breaching", ["/consola/colas/vencimientos/"], agent
            ),
            "agent_case": agent_target(
                "agent_case", [f"/consola/casos/{n}/" for n in numbers], agent
            ),
            "customer_list": agent_target("customer_list", ["/area/casos/"], customer),
            "customer_case": agent_target(
                "customer_case", [f"/area/casos/{n}/" for n in mine], customer
            ),
            "create_case": Target(
                name="create_case",
                method="POST",
                paths=["/area/casos/nuevo/"],
                headers={
                    "Cookie": customer["cookie"],
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Referer": base + "/area/casos/nuevo/",
                },
                body=form,
                ok_status=(302,),
            ),
            "search": agent_target(
                "search",
                [f"/consola/colas/todos/?q={quote(w)}" for w in rng.sample(SEARCH_WORDS, 12)],
                agent,
            ),
        }

    def _customer_email(self):
        marker = self.workdir / "seeded.json"
        return json.loads(marker.read_text())["customer"]

    # ---- email intake and SLA -------------------------------------------------------------------
    def _intake(self):
        say(
            f"email intake: {self.args.intake} messages (half new cases, half threaded replies)"
            f", {self.args.intake_batch} per transaction"
        )
        command = [sys.executable, str(HERE / "intake_scale.py"), "--count", str(self.args.intake)]
        run = subprocess.run(
            [*command, "--batch", str(self.args.intake_batch)],
            env=self.env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        result = json.loads(run.stdout.strip().splitlines()[-1])
        rate, threaded = result["per_second"], result["threaded"]
        say(f"email_intake     {rate:>8.1f} msg/s   ({threaded} threaded)")
        return result

    def _sla(self):
        run = subprocess.run(
            [sys.executable, str(HERE / "sla_bench.py"), "--repeat", "3"],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        match = re.search(r"mix \(warm\)\s+([\d,]+)", run.stdout)
        value = float(match.group(1).replace(",", "")) if match else 0.0
        say(f"sla_deadlines    {value:>10,.0f} /s")
        return {"per_second": value}

    # ---- soak ------------------------------------------------------------------------------------
    def _soak(self):
        seconds = self.args.soak
        server = self.server
        try:
            targets = self._soak_targets
            agent = targets["queue_new"].headers
            paths = [p for name in ("queue_new", "queue_mine", "agent_case", "search")
                     for p in targets[name].paths[:50]]  # fmt: skip
            mix = Target(name="soak_mix", paths=paths, headers=agent)
            peak = run_wrk(self.base, mix, seconds=5, connections=self.args.connections)
            if not peak.requests:
                raise RuntimeError("soak: no request answered within the peak measurement")
            rate = 0.8 * peak.per_second
            delay = max(1, int(1000 * self.args.connections / rate - peak.p50_ms))
            peak_rate = peak.per_second
            say(f"soak: {seconds} s of an agent mix at ~{rate:.0f} req/s (80 % of {peak_rate})")
            samples = []
            process = run_wrk_background(self.base, mix, seconds, self.args.connections, delay)
            start = time.time()
            while process.poll() is None:
                samples.append((round(time.time() - start), worker_rss_mb(server.pid)))
                time.sleep(15)
            out = process.communicate()[0]
            result = parse_background(out)
            first = samples[1][1] if len(samples) > 1 else samples[0][1]
            last = samples[-1][1]
            say(f"soak: {result}  memory of the workers {first} MB -> {last} MB")
            return {"load": result, "rss_mb": samples, "peak_per_second": peak.per_second}
        finally:
            stop(server)

    # ---- the peer ------------------------------------------------------------------------------
    def _peer(self, results):
        try:
            from peer.driver import Peer
        except ImportError as error:
            say(f"peer: not available ({error})")
            return
        n = self.args.peer_tickets or self.args.tickets
        url = self.pg.url.rsplit("/", 1)[0] + "/helpdesk" if self.pg is not None else None
        if self.pg is not None:
            self.pg.createdb("helpdesk")
        peer = Peer(self.workdir / "peer", url)
        peer.install()
        say(f"peer: {peer.name} {peer.version}, seeding {n:,} tickets")
        results["peer"] = {"name": peer.name, "version": peer.version, "tickets": n}
        results["peer"]["seed"] = peer.setup(n)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = peer.serve(port, self.args.workers)
        try:
            for name, target in peer.targets(base).items():
                if self._wanted(name):
                    entry = results["metrics"].setdefault(name, {})
                    entry["peer"] = self._load(base, target, strict=False)
        finally:
            stop(server)
        if self._wanted("email_intake"):
            results["metrics"].setdefault("email_intake", {})["peer"] = peer.email_intake(
                self.args.intake
            )


# ---- helpers -------------------------------------------------------------------------------------


class PostgresCluster:
    """The bench's own PostgreSQL server, durable (fsync and synchronous commit on)."""

    def __init__(self, directory, port):
        self.directory = Path(directory)
        self.port = port
        self.bin = find_pg_bin()
        self.url = f"postgres://ventanilla:ventanilla@127.0.0.1:{port}/ventanilla"

    def _as_pg(self, *command, check=True):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *command], check=check, capture_output=True, text=True)

    def start(self):
        data = self.directory / "data"
        fresh = not data.exists()
        if fresh:
            self.directory.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.directory, "postgres")
                for parent in self.directory.parents:
                    if parent == ROOT.parent:
                        break
                    parent.chmod(parent.stat().st_mode | 0o011)
            self._as_pg(
                f"{self.bin}/initdb", "-D", str(data), "-U", "postgres", "-E", "UTF8",
                "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256",
            )  # fmt: skip
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} "
            "-c shared_buffers=2GB -c effective_cache_size=8GB -c work_mem=32MB "
            "-c maintenance_work_mem=1GB -c max_wal_size=8GB -c max_connections=200"
        )
        self._as_pg(
            f"{self.bin}/pg_ctl", "-D", str(data), "-l", str(self.directory / "server.log"),
            "-w", "-t", "60", "-o", options, "start",
        )  # fmt: skip
        if fresh:
            self.psql(
                "CREATE ROLE ventanilla LOGIN SUPERUSER PASSWORD 'ventanilla'",
                "CREATE DATABASE ventanilla OWNER ventanilla",
            )
        say(f"PostgreSQL {self.bin.split('/')[-2]} on 127.0.0.1:{self.port}")

    def psql(self, *statements, database="postgres"):
        command = [f"{self.bin}/psql", "-h", str(self.directory), "-p", str(self.port)]
        command += ["-U", "postgres", "-d", database, "-q", "-v", "ON_ERROR_STOP=1"]
        for statement in statements:
            command += ["-c", statement]
        self._as_pg(*command)

    def createdb(self, name):
        self._as_pg(
            f"{self.bin}/psql", "-h", str(self.directory), "-p", str(self.port), "-U",
            "postgres", "-d", "postgres", "-c", f"CREATE DATABASE {name} OWNER ventanilla",
            check=False,
        )  # fmt: skip

    def stop(self):
        self._as_pg(
            f"{self.bin}/pg_ctl", "-D", str(self.directory / "data"), "-m", "fast", "-w", "stop",
            check=False,
        )  # fmt: skip


def find_pg_bin():
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    for initdb in candidates:
        return str(initdb.parent)
    raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")


def agent_target(name, paths, session):
    return Target(name=name, paths=paths, headers={"Cookie": session["cookie"]})


def login(base, email, password):
    """Sign in through the real login form; returns the cookie header and the CSRF token."""
    status, body, headers = fire(base, Target(name="login", paths=["/cuenta/entrar/"]))
    csrf_cookie = _cookie(headers, "csrftoken")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": password}
    ).encode()
    target = Target(
        name="login",
        method="POST",
        paths=["/cuenta/entrar/"],
        headers={
            "Cookie": f"csrftoken={csrf_cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": base + "/cuenta/entrar/",
        },
        body=form,
    )
    status, body, headers = fire(base, target)
    session = _cookie(headers, "sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"login as {email} failed: HTTP {status}\n{body[:400]}")
    csrf_cookie = _cookie(headers, "csrftoken") or csrf_cookie
    return {"cookie": f"sessionid={session}; csrftoken={csrf_cookie}", "csrf": csrf_cookie}


def _cookie(headers, name):
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith(name + "="):
            return value.split(";", 1)[0].split("=", 1)[1]
    return ""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            status, _body, _headers = fire("", Target(name="up", paths=[url]), timeout=5)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def stop(process):
    """Stop a server and its workers: its process group when it leads one, else itself."""
    try:
        group = os.getpgid(process.pid)
    except ProcessLookupError:
        return
    try:
        if group == process.pid:
            os.killpg(group, signal.SIGTERM)
        else:
            process.terminate()
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    except ProcessLookupError:
        pass


def worker_rss_mb(master_pid):
    """Resident memory of each gunicorn worker (the master's children), in MB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    pids = children.read_text().split() if children.exists() else []
    sizes = []
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        kb = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        sizes.append(round(kb / 1024, 1))
    return sizes


def run_wrk_background(base, target, seconds, connections, delay_ms):
    import tempfile

    from load import _script

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_script(target, delay_ms))
    return subprocess.Popen(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s",
         script.name, base + target.paths[0]],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def parse_background(out):
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    requests, micros, p50, _p95, p99, _top, errors, bad = line.split()[1:]
    return {
        "requests": int(requests),
        "per_second": round(int(requests) / (int(micros) / 1e6), 1),
        "p50_ms": float(p50),
        "p99_ms": float(p99),
        "errors": int(errors) + int(bad),
    }


def eval_facts(stdout):
    import ast

    line = [ln for ln in stdout.splitlines() if ln.startswith("{")][-1]
    return ast.literal_eval(line)


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg()[0],
    }


def say(text):
    print(text, flush=True)


def print_table(results):
    print(f"\n{results['db']}, {results['tickets']:,} cases")
    head = f"{'metric':<16} {'Ventanilla':>22} {'django-helpdesk':>22} {'ratio':>7}"
    print(head)
    print("-" * len(head))
    for name, sides in results["metrics"].items():
        ours, theirs = sides.get("ventanilla"), sides.get("peer")
        print(f"{name:<16} {_cell(ours):>22} {_cell(theirs):>22} {_ratio(ours, theirs):>7}")


def _cell(side):
    if not side:
        return "—"
    if "error" in side:
        return "failed"
    if "p99_ms" in side:
        failed = side["errors"] + side["bad_status"]
        note = f" ({failed} failed)" if failed else ""
        return f"{side['per_second']:.0f}/s p99 {side['p99_ms']:.0f} ms{note}"
    return f"{side['per_second']:,.0f}/s"


def _ratio(ours, theirs):
    if not ours or not theirs or not theirs.get("per_second") or not ours.get("per_second"):
        return "—"
    return f"{ours['per_second'] / theirs['per_second']:.1f}×"


if __name__ == "__main__":
    main()
