"""Warnings and breaches: marked once, actions run, real worker + scheduler within one minute."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from ventanilla.mail.models import OutboundEmail
from ventanilla.sla.models import SlaClock, SlaPolicy
from ventanilla.sla.sweep import sla_sweep
from ventanilla.sla.tests.test_clocks import MONDAY_10
from ventanilla.staff.models import Tier
from ventanilla.tickets.models import Event
from ventanilla.tickets.services import ticket_assign

pytestmark = pytest.mark.django_db


def _a_case(cast, make_ticket):
    ticket = make_ticket(severity="A", priority="high", now=MONDAY_10)
    ticket.team = cast.teams["l1"]
    ticket.save(update_fields=["team"])
    ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l1, now=MONDAY_10)
    return ticket


def _sla_mails(template):
    return list(OutboundEmail.objects.filter(template=template).values_list("to", flat=True))


def test_warning_once_then_breach_with_actions(cast, make_ticket):
    ticket = _a_case(cast, make_ticket)
    assert sla_sweep(now=MONDAY_10 + timedelta(minutes=30)) == {"warnings": 0, "breaches": 0}
    # 80 % of the internal first response (48 min) = 38.4 min; of the contractual (60) = 48 min.
    counts = sla_sweep(now=MONDAY_10 + timedelta(minutes=39))
    assert counts == {"warnings": 1, "breaches": 0}
    assert sla_sweep(now=MONDAY_10 + timedelta(minutes=40)) == {"warnings": 0, "breaches": 0}
    warned = ticket.events.filter(kind=Event.Kind.SLA_WARNING)
    assert warned.count() == 1 and warned.get().after["sla"] == "internal"
    recipients = sorted(r[0] for r in _sla_mails("sla_warning"))
    assert recipients == ["agent_l1@ventanilla.test"]  # assignee; the team's agent is the same
    counts = sla_sweep(now=MONDAY_10 + timedelta(minutes=61))
    assert counts["breaches"] == 2  # internal and contractual first response
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2  # the contractual A policy raises the tier on breach
    assert ["supervisor@ventanilla.test"] in _sla_mails("sla_breach")
    assert ticket.events.filter(kind=Event.Kind.SLA_BREACH).count() == 2
    assert sla_sweep(now=MONDAY_10 + timedelta(minutes=62))["breaches"] == 0


def test_breach_reassigns_when_the_policy_says_so(cast, make_ticket):
    SlaPolicy.objects.filter(name="Gravedad A · crítica (24×7)").update(
        breach_reassign_to=cast.agent_l2
    )
    ticket = _a_case(cast, make_ticket)
    sla_sweep(now=MONDAY_10 + timedelta(hours=3))
    ticket.refresh_from_db()
    assert ticket.assignee == cast.agent_l2
    assert ticket.events.filter(kind=Event.Kind.ASSIGNED, actor__isnull=True).exists()


def test_paused_clocks_do_not_warn(cast, make_ticket):
    from ventanilla.tickets.services import ticket_transition

    ticket = make_ticket(severity="A", now=MONDAY_10)
    ticket_transition(
        ticket=ticket, to_status="waiting_on_customer", by=cast.agent_l1, now=MONDAY_10
    )
    assert sla_sweep(now=MONDAY_10 + timedelta(days=5)) == {"warnings": 0, "breaches": 0}


def test_guarded_claim_marks_a_clock_once_even_if_two_workers_saw_it(cast, make_ticket):
    from ventanilla.sla.sweep import _warn

    ticket = _a_case(cast, make_ticket)
    clock = SlaClock.objects.get(ticket=ticket, kind="internal", target="first_response")
    now = MONDAY_10 + timedelta(minutes=40)
    assert _warn(clock.pk, now) is True
    assert _warn(clock.pk, now) is False  # the second worker loses the guarded update
    assert ticket.events.filter(kind=Event.Kind.SLA_WARNING).count() == 1


@pytest.mark.django_db(transaction=True)
def test_scheduler_and_real_db_worker_fire_the_warning_within_a_minute(cast, make_ticket):
    """`ventanilla_scheduler --once` enqueues on the database backend; `db_worker --batch` runs
    it, in this process, under a frozen clock. One scheduler tick per minute: the first tick at
    or after the threshold fires the warning."""
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=tasks), time_machine.travel(MONDAY_10, tick=False) as clock:
        ticket = _a_case(cast, make_ticket)
        warn_at = SlaClock.objects.get(ticket=ticket, kind="internal", target="first_response")
        warn_at = warn_at.warn_at
        assert warn_at == MONDAY_10 + timedelta(minutes=38, seconds=24)
        ticks = [MONDAY_10 + timedelta(minutes=m) for m in range(36, 41)]
        fired_at = None
        for tick in ticks:
            clock.move_to(tick)
            call_command("ventanilla_scheduler", "--once")
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
            if ticket.events.filter(kind=Event.Kind.SLA_WARNING).exists():
                fired_at = tick
                break
        assert fired_at is not None and timedelta(0) <= fired_at - warn_at < timedelta(minutes=1)
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() >= 3
        assert OutboundEmail.objects.filter(template="sla_warning").exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_warn_each_clock_once(cast, make_ticket):
    """Four workers sweep the same due clocks at once on PostgreSQL (SKIP LOCKED + guarded
    update): every clock is warned exactly once, one event and one set of emails each."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    tickets = [_a_case(cast, make_ticket) for _ in range(6)]
    now = MONDAY_10 + timedelta(minutes=39)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(sla_sweep(now=now)["warnings"])
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == len(tickets)
    assert Event.objects.filter(kind=Event.Kind.SLA_WARNING).count() == len(tickets)
    assert OutboundEmail.objects.filter(template="sla_warning").count() == len(tickets)
