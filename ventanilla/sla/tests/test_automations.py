"""Automations (seed 003): remind, lower severity, cancel; auto-close resolved cases."""

from datetime import datetime

import pytest
import time_machine

from ventanilla.mail.models import OutboundEmail
from ventanilla.sla.automations import automations_run
from ventanilla.sla.models import Automation, SlaClock
from ventanilla.sla.tests.test_clocks import MADRID, MONDAY_10
from ventanilla.tickets.models import Event
from ventanilla.tickets.services import ticket_reply, ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def _waiting(cast, make_ticket, severity="A"):
    ticket = make_ticket(severity=severity, now=MONDAY_10)
    ticket_transition(
        ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1, now=MONDAY_10
    )
    return ticket


def _mails(template):
    return OutboundEmail.objects.filter(template=template).count()


def _at(day, hour=10, minute=1):
    return datetime(2026, 11, day, hour, minute, tzinfo=MADRID)


def test_silent_customer_reminded_then_lowered_then_cancelled(cast, make_ticket):
    ticket = _waiting(cast, make_ticket)
    with time_machine.travel(_at(25, 9), tick=False):
        assert automations_run() == 0  # less than 2 business days
    with time_machine.travel(_at(25), tick=False):
        assert automations_run() == 1
        assert automations_run() == 0  # once per stay in the status
    assert _mails("sla_reminder") == 1
    assert ticket.events.filter(kind=Event.Kind.AUTOMATION, after__action="remind").exists()
    with time_machine.travel(_at(30), tick=False):  # 5 business days: Monday 30
        assert automations_run() == 1
    ticket.refresh_from_db()
    assert ticket.severity == "B" and _mails("sla_severity_lowered") == 1
    changed = ticket.events.get(kind=Event.Kind.CHANGED)
    assert changed.before == {"severity": "A"} and changed.actor is None
    with time_machine.travel(datetime(2026, 12, 9, 10, 1, tzinfo=MADRID), tick=False):
        assert automations_run() == 1  # 10 business days (6 and 8 December are holidays)
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELLED and _mails("sla_cancelled") == 1
    assert not SlaClock.objects.filter(ticket=ticket, state__in=["running", "paused"]).exists()


def test_an_answer_restarts_the_count(cast, make_ticket):
    ticket = _waiting(cast, make_ticket)
    ticket_reply(ticket=ticket, by=cast.customer, text="Ya lo miro.", now=_at(24))
    ticket_transition(
        ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1, now=_at(24, 12)
    )
    with time_machine.travel(_at(25, 12), tick=False):
        assert automations_run() == 0  # counted from the second wait
    with time_machine.travel(_at(26, 12, 1), tick=False):
        assert automations_run() == 1


def test_resolved_cases_close_after_seven_days_and_severity_filter(cast, make_ticket):
    ticket = make_ticket(now=MONDAY_10)
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1, now=MONDAY_10)
    Automation.objects.filter(trigger="waiting_on_customer").update(severity="C")
    other = _waiting(cast, make_ticket, severity="A")
    with time_machine.travel(_at(30, 10, 1), tick=False):
        assert automations_run() == 1
    ticket.refresh_from_db()
    other.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert other.status == Status.WAITING_ON_CUSTOMER  # rules limited to severity C


def test_rule_validation_refuses_a_close_while_waiting(cast):
    from django.core.exceptions import ValidationError

    rule = Automation(name="x", trigger="waiting_on_customer", after_amount=1, action="close")
    with pytest.raises(ValidationError):
        rule.full_clean()


def test_automations_are_editable_in_the_admin(client, cast):
    cast.supervisor.is_staff = True
    cast.supervisor.save()
    from django.contrib.auth.models import Permission

    cast.supervisor.user_permissions.set(Permission.objects.filter(content_type__app_label="sla"))
    client.force_login(cast.supervisor)
    assert client.get("/admin/sla/automation/").status_code == 200
    assert client.get("/admin/sla/slapolicy/").status_code == 200
    from ventanilla.sla.models import SlaPolicy

    policy = SlaPolicy.objects.get(name="Gravedad A · crítica (24×7)")
    page = client.get(f"/admin/sla/slapolicy/{policy.pk}/change/")
    assert page.status_code == 200 and b"minutes_24x7" in page.content
    assert client.get("/admin/sla/automation/add/").status_code == 200
