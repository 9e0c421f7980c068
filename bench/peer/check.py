"""Self-check of the django-helpdesk peer: install, seed, serve, fire every target, intake mail.

    .venv/bin/python bench/peer/check.py [--tickets 2000] [--database-url URL]

Runs under Ventanilla's venv (the peer itself runs in bench/.peer-venv). Data goes to
bench/.data/peer-check (SQLite) unless --database-url is given.
"""

import argparse
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.peer.driver import Peer, request, verify  # noqa: E402


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shots", type=int, default=20)
    parser.add_argument("--emails", type=int, default=200)
    args = parser.parse_args()

    peer = Peer(ROOT / "bench" / ".data" / "peer-check", args.database_url)
    started = time.perf_counter()
    peer.install()
    print(
        f"{peer.name} {peer.version} (Django {peer.django_version}), "
        f"install {time.perf_counter() - started:.1f} s"
    )
    facts = peer.setup(args.tickets, progress=False)
    print(
        f"setup: {facts['tickets']} tickets, {facts['followups']} follow-ups, "
        f"{facts['customers']} customers, heavy customer {facts['heavy_tickets']} tickets, "
        f"{facts['vendor']}; seed {facts['seconds']} s ({facts['tickets_per_second']} tickets/s), "
        f"migrate {facts['seconds_migrate']} s"
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = peer.serve(port, workers=args.workers)
    failures = 0
    try:
        targets = peer.targets(base)
        print(
            f"{'target':16} {'verify':>6} {'status':>6} {'rows':>18} {'ok/shots':>8} {'ms/req':>7}"
        )
        for name, target in targets.items():
            check = verify(base, target)
            good = 0
            shot_start = time.perf_counter()
            for i in range(args.shots):
                path = target.paths[i % len(target.paths)]
                status, _, _ = request(base, target.method, path, target.headers, target.body)
                good += status in target.ok_status
            per = 1000 * (time.perf_counter() - shot_start) / args.shots
            failures += (not check["ok"]) + (good != args.shots)
            print(
                f"{name:16} {'ok' if check['ok'] else 'FAIL':>6} {check['status']:>6} "
                f"{check['rows']!s:>18.18} {good:>3}/{args.shots:<4} {per:7.1f}"
            )
        intake = peer.email_intake(args.emails)
        print(
            f"email_intake: {intake['messages']} messages in {intake['seconds']} s "
            f"({intake['per_second']}/s; {intake['seconds_with_startup']} s with startup), "
            f"{intake['threaded']}/{intake['replies']} replies threaded, "
            f"{intake['new_tickets']} new tickets, {intake['left_in_mailbox']} left in mailbox"
        )
        failures += intake["threaded"] != intake["replies"]
    finally:
        server.terminate()
        server.wait(10)
    print("peer check:", "OK" if not failures else f"{failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
