"""SLA clocks driven by the ticket services: start, meet, pause, resume, reopen, recompute."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ventanilla.sla.models import ClockState, SlaClock, SlaPolicy
from ventanilla.sla.services import resolve_targets
from ventanilla.tickets.models import Event
from ventanilla.tickets.services import ticket_reclassify, ticket_reply, ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=MADRID)  # Monday 23 November 2026


def local(moment):
    return moment.astimezone(MADRID).replace(tzinfo=None)


def clock(ticket, target, kind="contractual"):
    return SlaClock.objects.filter(ticket=ticket, target=target, kind=kind).latest("id")


def test_default_policies_reproduce_the_seeds(make_ticket):
    ticket = make_ticket(severity="A", priority="high", now=MONDAY_10)
    first = clock(ticket, "first_response")
    assert first.due_at == MONDAY_10 + timedelta(hours=1)  # seed 003: A < 1 h, 24×7
    assert clock(ticket, "start_of_work").due_at == MONDAY_10 + timedelta(hours=2)  # seed 004
    assert local(clock(ticket, "resolution").due_at) == datetime(2026, 11, 26, 10, 0)  # seed 001
    internal = clock(ticket, "first_response", "internal")
    assert internal.due_at == MONDAY_10 + timedelta(minutes=48)  # stricter: 80 %
    assert first.warn_at == MONDAY_10 + timedelta(minutes=48)


def test_severity_b_and_c_in_business_days(make_ticket):
    friday_17 = datetime(2026, 11, 27, 17, 0, tzinfo=MADRID)
    b = make_ticket(severity="B", priority="low", now=friday_17)
    assert local(clock(b, "first_response").due_at) == datetime(2026, 11, 30, 17, 0)
    assert local(clock(b, "resolution").due_at) == datetime(2026, 12, 17, 17, 0)  # 20 days
    c = make_ticket(severity="C", now=MONDAY_10)
    assert local(clock(c, "first_response").due_at) == datetime(2026, 11, 26, 10, 0)
    assert not SlaClock.objects.filter(ticket=c, target="start_of_work").exists()


def test_first_staff_reply_meets_first_response_and_customer_starts_next(cast, make_ticket):
    ticket = make_ticket(severity="A", now=MONDAY_10)
    ticket_reply(
        ticket=ticket, by=cast.agent_l1, text="Lo miramos.", now=MONDAY_10 + timedelta(minutes=30)
    )
    first = clock(ticket, "first_response")
    assert first.state == ClockState.MET and first.stopped_at == MONDAY_10 + timedelta(minutes=30)
    assert not SlaClock.objects.filter(ticket=ticket, target="next_response").exists()
    later = MONDAY_10 + timedelta(hours=3)
    ticket_reply(ticket=ticket, by=cast.customer, text="Sigue fallando.", now=later)
    nxt = clock(ticket, "next_response")
    assert nxt.state == ClockState.RUNNING and nxt.due_at == later + timedelta(hours=1)
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Vale.", now=later + timedelta(hours=2))
    nxt.refresh_from_db()
    assert nxt.state == ClockState.MISSED and nxt.breached_at == nxt.due_at


def test_internal_note_does_not_meet_first_response(cast, make_ticket):
    from ventanilla.tickets.services import ticket_add_note

    ticket = make_ticket(severity="A", now=MONDAY_10)
    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="nota", now=MONDAY_10)
    assert clock(ticket, "first_response").state == ClockState.RUNNING


def test_waiting_on_customer_pauses_and_the_answer_resumes_pushing_the_deadline(cast, make_ticket):
    ticket = make_ticket(severity="A", priority="high", now=MONDAY_10)
    ticket_transition(
        ticket=ticket,
        to_status=Status.WAITING_ON_CUSTOMER,
        by=cast.agent_l1,
        now=MONDAY_10 + timedelta(minutes=10),
    )
    resolution = clock(ticket, "resolution")
    assert resolution.state == ClockState.PAUSED
    assert clock(ticket, "start_of_work").state == ClockState.MET  # work started
    ticket_reply(
        ticket=ticket,
        by=cast.customer,
        text="Aquí está el dato.",
        now=MONDAY_10 + timedelta(hours=5, minutes=10),
    )
    resolution.refresh_from_db()
    assert resolution.state == ClockState.RUNNING and resolution.paused_minutes == 300
    assert local(resolution.due_at) == datetime(2026, 11, 26, 15, 0)
    kinds = list(ticket.events.filter(kind__startswith="sla_").values_list("kind", flat=True))
    assert Event.Kind.SLA_PAUSED in kinds and Event.Kind.SLA_RESUMED in kinds


def test_business_clock_pause_counts_business_minutes_only(cast, make_ticket):
    ticket = make_ticket(severity="B", now=MONDAY_10)
    ticket_transition(
        ticket=ticket,
        to_status=Status.WAITING_ON_CUSTOMER,
        by=cast.agent_l1,
        now=datetime(2026, 11, 23, 17, 0, tzinfo=MADRID),
    )
    ticket_transition(
        ticket=ticket,
        to_status=Status.IN_PROGRESS,
        by=cast.agent_l1,
        now=datetime(2026, 11, 24, 9, 30, tzinfo=MADRID),
    )
    first = clock(ticket, "first_response")
    assert first.paused_minutes == 120  # 17:00–18:00 + 08:30–09:30
    assert local(first.due_at) == datetime(2026, 11, 24, 12, 0)


def test_resolution_stops_every_clock_and_reopen_restarts_resolution(cast, make_ticket):
    ticket = make_ticket(severity="C", priority="high", now=MONDAY_10)
    ticket_transition(
        ticket=ticket,
        to_status=Status.RESOLVED,
        by=cast.agent_l1,
        now=MONDAY_10 + timedelta(days=1),
    )
    assert not SlaClock.objects.filter(ticket=ticket, state__in=["running", "paused"]).exists()
    assert clock(ticket, "resolution").state == ClockState.MET
    reopen = MONDAY_10 + timedelta(days=2)
    ticket_reply(ticket=ticket, by=cast.customer, text="Ha vuelto a pasar.", now=reopen)
    assert (
        SlaClock.objects.filter(ticket=ticket, target="resolution", kind="contractual").count() == 2
    )
    again = clock(ticket, "resolution")
    assert again.state == ClockState.RUNNING and again.started_at == reopen


def test_cancel_cancels_clocks(cast, make_ticket):
    ticket = make_ticket(now=MONDAY_10)
    ticket_transition(ticket=ticket, to_status=Status.CANCELLED, by=cast.customer, now=MONDAY_10)
    assert set(SlaClock.objects.filter(ticket=ticket).values_list("state", flat=True)) == {
        "cancelled"
    }


def test_severity_change_recomputes_from_the_original_start_keeping_pauses(cast, make_ticket):
    ticket = make_ticket(severity="C", priority="low", now=MONDAY_10)
    ticket_transition(
        ticket=ticket,
        to_status=Status.WAITING_ON_CUSTOMER,
        by=cast.agent_l1,
        now=MONDAY_10 + timedelta(hours=1),
    )
    ticket_transition(
        ticket=ticket,
        to_status=Status.IN_PROGRESS,
        by=cast.agent_l1,
        now=MONDAY_10 + timedelta(hours=2),
    )
    ticket_reclassify(
        ticket=ticket,
        by=cast.agent_l1,
        severity="B",
        priority="high",
        now=MONDAY_10 + timedelta(hours=3),
    )
    first = clock(ticket, "first_response")
    assert first.started_at == MONDAY_10 and first.paused_minutes == 60
    assert local(first.due_at) == datetime(2026, 11, 24, 11, 0)  # 1 business day + 60 min paused
    resolution = clock(ticket, "resolution")
    assert local(resolution.due_at) == datetime(2026, 11, 26, 11, 0)  # 3 days + 1 h paused
    events = ticket.events.filter(kind=Event.Kind.SLA_DEADLINE, before__has_key="due_at")
    assert events.count() >= 2


def test_severity_raised_to_a_starts_the_start_of_work_clock(cast, make_ticket):
    ticket = make_ticket(severity="C", now=MONDAY_10)
    ticket_reclassify(
        ticket=ticket, by=cast.agent_l1, severity="A", now=MONDAY_10 + timedelta(minutes=5)
    )
    sow = clock(ticket, "start_of_work")
    assert sow.started_at == MONDAY_10 and sow.due_at == MONDAY_10 + timedelta(hours=2)


def test_first_match_wins_and_organization_policy_goes_first(cast, make_ticket):
    gold = SlaPolicy.objects.create(name="Oro", position=1, organization=cast.orgs["a"])
    gold.targets.create(target="first_response", amount=30, unit="minutes_24x7")
    ticket = make_ticket(severity="C", now=MONDAY_10)
    assert clock(ticket, "first_response").due_at == MONDAY_10 + timedelta(minutes=30)
    chosen = resolve_targets(ticket)
    policy, _target, matched = chosen[("contractual", "first_response")]
    assert policy == gold and matched == ["organization"]
    assert chosen[("contractual", "resolution")][0].name == "Prioridad media"
    other = make_ticket(role="outsider", severity="C", now=MONDAY_10)
    assert local(clock(other, "first_response").due_at) == datetime(2026, 11, 26, 10, 0)


def test_deadline_events_are_written(make_ticket):
    ticket = make_ticket(severity="A", now=MONDAY_10)
    events = ticket.events.filter(kind=Event.Kind.SLA_DEADLINE)
    assert events.count() == SlaClock.objects.filter(ticket=ticket).count() > 0
    assert all(e.created_at == MONDAY_10 for e in events)
    assert MONDAY_10.astimezone(UTC) <= datetime.fromisoformat(events[0].after["due_at"])
