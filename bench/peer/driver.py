"""Installs, seeds, serves and aims requests at django-helpdesk, the peer of the speed benchmark.

Imported by the benchmark runner under Ventanilla's venv, so it imports neither Django nor
helpdesk: everything on the peer side runs as subprocesses of bench/.peer-venv (created here
with Python 3.12 and uv), and the HTTP it does itself is plain http.client.

    peer = Peer(workdir, database_url=None)   # None: a SQLite file in workdir
    peer.install(); peer.setup(100_000)
    server = peer.serve(port=8101, workers=2)
    targets = peer.targets("http://127.0.0.1:8101")
    peer.email_intake(200)
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

HERE = Path(__file__).resolve().parent  # bench/peer
BENCH = HERE.parent
VENV = BENCH / ".peer-venv"
VENV_PYTHON = VENV / "bin" / "python"
REQUIREMENTS = HERE / "requirements.txt"
STAMP = VENV / ".requirements.sha256"

try:  # the runner's Target, when bench/load.py is there
    from bench.load import Target
except ImportError:  # pragma: no cover - depends on how the runner was started
    try:
        from load import Target
    except ImportError:

        @dataclass
        class Target:
            """Local stand-in with the shape of bench/load.py's Target."""

            name: str
            method: str = "GET"
            paths: list[str] = field(default_factory=list)
            headers: dict[str, str] = field(default_factory=dict)
            body: bytes | None = None
            ok_status: tuple[int, ...] = (200,)


SEARCH_WORD = "impresora"  # in about one ticket in ten (subject or first message)
PAGE = 25  # django-helpdesk's default tickets_per_page


def find_python312() -> str:
    """A Python >= 3.12 interpreter for the peer venv (django-helpdesk 2.6 on Django 6.1)."""
    candidates = [os.environ.get("PEER_PYTHON", "")]
    candidates += [shutil.which(name) or "" for name in ("python3.12", "python3.13")]
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates += sorted(str(p) for p in pyenv_root.glob("versions/3.1[2-9]*/bin/python3.1*"))
    for candidate in candidates:
        if not candidate:
            continue
        try:
            out = subprocess.run(
                [candidate, "-c", "import sys; print(sys.version_info >= (3, 12))"],
                capture_output=True,
                text=True,
                timeout=20,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == "True":
            return candidate
    raise RuntimeError("django-helpdesk's venv needs Python >= 3.12; none was found")


def find_uv() -> str | None:
    for candidate in (
        Path(sys.executable).parent / "uv",
        shutil.which("uv"),
        BENCH.parent / ".venv" / "bin" / "uv",
    ):
        if candidate and Path(candidate).exists():
            return str(candidate)
    return None


def b64query(params: dict) -> str:
    """The ticket-list query as django-helpdesk encodes it in its datatables URL."""
    return base64.b64encode(json.dumps(params).encode()).decode("ascii")


def list_path(filtering: dict, sorting: str = "created", reverse=False, search: str = "") -> str:
    query = {
        "filtering": filtering,
        "filtering_null": {},
        "sorting": sorting,
        "sortreverse": reverse,
        "search_string": search,
    }
    return f"/datatables_ticket_list/{b64query(query)}?draw=1&start=0&length={PAGE}"


class Peer:
    name = "django-helpdesk"

    def __init__(self, workdir: Path, database_url: str | None):
        self.workdir = Path(workdir).resolve()  # the peer runs with cwd bench/peer
        self.database_url = database_url
        self.version = ""
        self.server_log = self.workdir / "peer-gunicorn.log"
        self.mailbox = self.workdir / "mailbox"

    # --- subprocesses in the peer venv -------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("VIRTUAL_ENV", "PYTHONPATH", "DJANGO_SETTINGS_MODULE"):
            env.pop(name, None)
        env["PEER_WORKDIR"] = str(self.workdir)
        env["DJANGO_SETTINGS_MODULE"] = "peer_site.settings"
        env["PYTHONUNBUFFERED"] = "1"
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        else:
            env.pop("DATABASE_URL", None)
        return env

    def manage(self, *args: str, stream_stderr: bool = False) -> str:
        """Run manage.py in the peer venv; returns stdout (raises with stderr on failure)."""
        out = subprocess.run(
            [str(VENV_PYTHON), "manage.py", *args],
            cwd=HERE,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=None if stream_stderr else subprocess.PIPE,
            text=True,
        )
        if out.returncode != 0:
            raise RuntimeError(f"peer manage.py {' '.join(args)} failed:\n{out.stderr}")
        return out.stdout

    def manage_json(self, *args: str, stream_stderr: bool = False) -> dict:
        lines = self.manage(*args, stream_stderr=stream_stderr).strip().splitlines()
        return json.loads(lines[-1])

    # --- the interface the runner uses -------------------------------------------------------

    def install(self) -> None:
        """Create bench/.peer-venv if missing and install the pinned requirements (idempotent)."""
        wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
        if not VENV_PYTHON.exists():
            subprocess.run([find_python312(), "-m", "venv", str(VENV)], check=True)
        if not (STAMP.exists() and STAMP.read_text().strip() == wanted):
            uv = find_uv()
            if uv:
                cmd = [uv, "pip", "install", "--python", str(VENV_PYTHON), "-r", str(REQUIREMENTS)]
            else:
                cmd = [str(VENV_PYTHON), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)]
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"installing the peer failed:\n{done.stdout}{done.stderr}")
            STAMP.write_text(wanted)
        out = subprocess.run(
            [
                str(VENV_PYTHON),
                "-c",
                "import importlib.metadata as m; "
                "print(m.version('django-helpdesk'), m.version('django'))",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        helpdesk, django = out.stdout.split()
        self.version = helpdesk
        self.django_version = django

    def setup(self, n: int, progress: bool = True, per_company: int = 10) -> dict:
        """A fresh database (migrate) with N seeded tickets; returns the seeder's facts.

        `per_company` customer users in each of the 50 companies (default 500 customers).
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.database_url:
            for suffix in ("", "-wal", "-shm"):
                (self.workdir / f"helpdesk.sqlite3{suffix}").unlink(missing_ok=True)
        started = time.perf_counter()
        self.manage("migrate", "--no-input", "-v", "0")
        if self.database_url:
            self.manage("flush", "--no-input")  # the same database reused: start empty
        migrated = time.perf_counter()
        args = ["peer_seed", "--tickets", str(n), "--per-company", str(per_company)]
        if not progress:
            args.append("--no-progress")
        facts = self.manage_json(*args, stream_stderr=progress)
        facts["seconds_migrate"] = round(migrated - started, 2)
        facts["seconds_total"] = round(time.perf_counter() - started, 2)
        facts["tickets_per_second"] = round(n / facts["seconds"], 1) if facts["seconds"] else None
        self.facts = facts
        return facts

    def serve(
        self, port: int, workers: int, threads: int = 1, timeout: int = 600
    ) -> subprocess.Popen:
        """gunicorn (sync workers unless threads > 1), DEBUG off, on 127.0.0.1:port.

        `timeout` is gunicorn's worker timeout: its default of 30 s would kill the workers in
        the middle of a slow request (its keyword search over 1M tickets takes longer), and a
        benchmark should measure slow answers, not turn them into resets.
        """
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.server_log, "ab")  # noqa: SIM115 - handed to the child process
        cmd = [
            str(VENV / "bin" / "gunicorn"),
            "peer_site.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-" if os.environ.get("PEER_ACCESS_LOG") else "/dev/null",
            "--log-level",
            "warning",
            "--timeout",
            str(timeout),
        ]
        if threads > 1:
            cmd += ["--worker-class", "gthread", "--threads", str(threads)]
        proc = subprocess.Popen(cmd, cwd=HERE, env=self.env(), stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"peer server exited; see {self.server_log}")
            try:
                status, _, _ = request(f"http://127.0.0.1:{port}", "GET", "/login/")
                if status == 200:
                    return proc
            except OSError:
                pass
            time.sleep(0.2)
        proc.terminate()
        raise RuntimeError(f"peer server did not answer on port {port}; see {self.server_log}")

    def targets(self, base_url: str) -> dict[str, Target]:
        """Log in (staff, heavy customer, another customer) and build the benchmark requests."""
        facts = self.manage_json("peer_facts", "--sample", "500")
        password = "peer-bench"  # noqa: S105 - the seeded bench users' password
        staff = login(base_url, facts["staff"]["username"], password)
        heavy = login(base_url, facts["heavy"]["username"], password)
        other = login(base_url, facts["other_customer"]["username"], password)
        staff_id = facts["staff"]["id"]
        ajax = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
        open_statuses = {"status__in": [1, 2]}  # Open, Reopened: the list page's default
        targets = {
            # its cheapest page, for reading the other figures (its static files are not served)
            "floor_anonymous": Target(name="floor_anonymous", paths=["/login/"]),
            "queue_new": Target(
                name="queue_new",
                paths=[list_path(open_statuses)],
                headers={**staff.headers(), **ajax},
            ),
            "queue_mine": Target(
                name="queue_mine",
                paths=[list_path({**open_statuses, "assigned_to__id__in": [staff_id]})],
                headers={**staff.headers(), **ajax},
            ),
            "queue_breaching": Target(
                name="queue_breaching",
                paths=[list_path(open_statuses, sorting="due_date")],
                headers={**staff.headers(), **ajax},
            ),
            "agent_case": Target(
                name="agent_case",
                paths=[f"/tickets/{tid}/" for tid in facts["ticket_ids"]],
                headers=staff.headers(),
            ),
            "customer_list": Target(
                name="customer_list",
                paths=["/api/user_tickets/"],
                headers={**heavy.headers(), "Accept": "application/json"},
            ),
            "customer_case": Target(
                name="customer_case",
                paths=[
                    "/view/?"
                    + urllib.parse.urlencode({"ticket": ref, "email": facts["heavy"]["email"]})
                    for ref in facts["heavy"]["sample"]
                ],
                headers=heavy.headers(),
            ),
            "create_case": Target(
                name="create_case",
                method="POST",
                paths=["/tickets/submit/"],
                headers={
                    **other.headers(csrf=True),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                body=urllib.parse.urlencode(
                    {
                        "csrfmiddlewaretoken": other.csrf,
                        "title": "No funciona la impresora de la oficina",
                        "body": "Hola,\n\nDesde esta mañana la impresora no imprime nada. "
                        "Ya la hemos reiniciado.\n\nUn saludo.",
                        "submitter_email": facts["other_customer"]["email"],
                    }
                ).encode(),
                ok_status=(302,),
            ),
            "search": Target(
                name="search",
                paths=[list_path({}, search=SEARCH_WORD)],
                headers={**staff.headers(), **ajax},
            ),
        }
        self.target_facts = facts
        return targets

    def email_intake(self, count: int) -> dict:
        """`count` messages (half new, half replies "[soporte-ID]") through its `get_email`."""
        facts = getattr(self, "target_facts", None) or self.manage_json("peer_facts")
        rng = random.Random(5)
        if self.mailbox.exists():
            shutil.rmtree(self.mailbox)
        self.mailbox.mkdir(parents=True)
        senders = facts["customer_emails"]
        soporte = facts["soporte_tickets"]
        replies_wanted = count // 2 if soporte else 0
        replies = {}
        for i in range(count):
            msg = EmailMessage()
            msg["From"] = rng.choice(senders)
            msg["To"] = "soporte@helpdesk.test"
            msg["Date"] = email.utils.formatdate(localtime=False)
            msg_id = f"<peer-{i}-{rng.getrandbits(40):x}@cliente.test>"
            msg["Message-ID"] = msg_id
            if i < replies_wanted:
                ticket = soporte[i % len(soporte)]
                msg["Subject"] = f"Re: [soporte-{ticket['id']}] {ticket['title']}"
                msg.set_content(
                    "Buenos días,\n\nSeguimos con el mismo problema, ¿hay novedades?\n\n"
                    "Gracias.\n\n> mensaje anterior citado\n"
                )
                replies[msg_id] = ticket["id"]
            else:
                msg["Subject"] = f"Incidencia con el pedido {1000 + i}"
                msg.set_content(
                    f"Hola,\n\nEl pedido {1000 + i} no aparece en el portal desde ayer. "
                    "¿Pueden revisarlo?\n\nUn saludo.\n"
                )
            (self.mailbox / f"{i:06d}.eml").write_bytes(bytes(msg))
        manifest = self.workdir / "peer-intake-manifest.json"
        manifest.write_text(json.dumps({"replies": replies}))
        started = time.perf_counter()
        result = self.manage_json("peer_intake", "--manifest", str(manifest))
        wall = time.perf_counter() - started
        left = len(list(self.mailbox.iterdir()))
        seconds = result["seconds"]
        return {
            "messages": count,
            "seconds": seconds,
            "per_second": round(count / seconds, 1) if seconds else None,
            "threaded": result["threaded"],
            "replies": result["replies"],
            "new_tickets": result["new_tickets"],
            "left_in_mailbox": left,
            "seconds_with_startup": round(wall, 3),
        }


# --- HTTP helpers ------------------------------------------------------------------------------


def request(base_url, method, path, headers=None, body=None, timeout=30):
    """One request with http.client (no redirects followed): (status, headers, body)."""
    parts = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def cookies_from(headers) -> dict[str, str]:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()
    return jar


@dataclass
class Session:
    sessionid: str
    csrf: str

    def headers(self, csrf: bool = False) -> dict[str, str]:
        cookie = f"csrftoken={self.csrf}; sessionid={self.sessionid}"
        out = {"Cookie": cookie}
        if csrf:
            out["X-CSRFToken"] = self.csrf
        return out


def login(base_url: str, username: str, password: str) -> Session:
    """Log in through django-helpdesk's own login form; returns the session and CSRF cookies."""
    status, headers, body = request(base_url, "GET", "/login/")
    jar = cookies_from(headers)
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not match or "csrftoken" not in jar:
        raise RuntimeError(f"peer login page unusable (status {status})")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": match.group(1).decode(),
            "username": username,
            "password": password,
            "next": "/",
        }
    ).encode()
    status, headers, _ = request(
        base_url,
        "POST",
        "/login/",
        headers={
            "Cookie": f"csrftoken={jar['csrftoken']}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": base_url + "/login/",
        },
        body=form,
    )
    jar.update(cookies_from(headers))
    if status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"peer login as {username} failed (status {status})")
    return Session(sessionid=jar["sessionid"], csrf=jar["csrftoken"])


def verify(base_url: str, target: Target, timeout: float = 600) -> dict:
    """Fire a target once and say whether the answer holds real rows (not a login or error)."""
    path = target.paths[0]
    headers = dict(target.headers)
    if target.method == "POST":
        headers.setdefault("Referer", base_url + path)
    status, resp_headers, body = request(
        base_url, target.method, path, headers, target.body, timeout=timeout
    )
    text = body.decode("utf-8", "replace")
    rows = None
    ok = status in target.ok_status
    if ok and target.name.startswith(("queue_", "search")):
        data = json.loads(text)
        rows = len(data["data"])
        ok = rows > 0
        rows = f"{rows} of {data['recordsFiltered']}"
    elif ok and target.name == "customer_list":
        data = json.loads(text)
        rows = f"{len(data['results'])} of {data['count']}"
        ok = bool(data["results"])
    elif ok and target.name in ("agent_case", "customer_case"):
        ok = "followup" in text.lower() and 'name="password"' not in text
        rows = "ticket page" if ok else "no ticket on the page"
    elif ok and target.name == "create_case":
        location = dict((k.lower(), v) for k, v in resp_headers).get("location", "")
        ok = "/view/?ticket=" in location
        rows = location.split("&", 1)[0]
    return {"status": status, "bytes": len(body), "ok": ok, "rows": rows}
