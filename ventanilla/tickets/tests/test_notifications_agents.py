"""Agent-side notifications and the preferences that switch optional emails off (issue 6.10)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.accounts.models import NotificationPreference
from ventanilla.accounts.services import notification_preferences_save, user_create
from ventanilla.mail.models import OutboundEmail
from ventanilla.sla.notifications import staff_recipients
from ventanilla.staff.models import Agent
from ventanilla.tickets.services import (
    ticket_assign,
    ticket_escalate,
    ticket_open_by_phone,
    ticket_reply,
    ticket_request_info,
    ticket_resolve,
    ticket_triage,
    ticket_update,
)
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def sent(template, ticket=None):
    """{address: email} of the queued emails of one template (one address per email)."""
    rows = OutboundEmail.objects.filter(template=template)
    if ticket is not None:
        rows = rows.filter(ticket=ticket)
    return {row.to[0]: row for row in rows}


def another_agent(cast, key, team, **fields):
    user = user_create(email=f"{key}@ventanilla.test", full_name=key.title(), password="x-Pass-1")
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    agent = Agent.objects.create(user=user)
    agent.teams.add(team)
    return user


def triaged(cast, ticket, by=None, **kwargs):
    return ticket_triage(
        ticket=ticket,
        by=by or cast.users["agent_l1"],
        product=cast.products["erp"],
        request_type=cast.request_type,
        **kwargs,
    )


# ---- a new case ----


def test_a_new_untriaged_case_reaches_the_l1_agents_only(cast, make_ticket):
    ticket = make_ticket()
    agents = sent("agent_new_case", ticket)
    assert set(agents) == {"agent_l1@ventanilla.test"}
    email = agents["agent_l1@ventanilla.test"]
    assert "Nuevo caso" in email.subject and ticket.number in email.subject
    assert f"/consola/casos/{ticket.number}/" in email.body_text
    assert f"/consola/casos/{ticket.number}/" in email.body_html
    # the customer's acknowledgement is still there, and agent mail is not in its thread
    assert set(sent("ticket_received", ticket)) == {"lucia@talleresebro.test"}


def test_without_l1_agents_the_supervisors_hear_of_new_cases(cast, make_ticket):
    Agent.objects.get(user=cast.users["agent_l1"]).teams.clear()
    ticket = make_ticket()
    assert set(sent("agent_new_case", ticket)) == {"supervisor@ventanilla.test"}


def test_the_agent_who_opens_a_case_by_phone_is_not_told_about_it(cast):
    colleague = another_agent(cast, "agent_l1b", cast.teams["l1"])
    ticket = ticket_open_by_phone(
        by=cast.users["agent_l1"],
        organization=cast.contacts["customer"].organization,
        contact=cast.contacts["customer"],
        subject="Llama por teléfono",
        description="No imprime.",
    )
    assert set(sent("agent_new_case", ticket)) == {colleague.email}


# ---- assignment ----


def test_assignment_by_someone_else_tells_the_assignee(cast, make_ticket):
    ticket = make_ticket()
    ticket_assign(ticket=ticket, by=cast.users["supervisor"], assignee=cast.users["agent_l1"])
    email = sent("agent_assigned", ticket)["agent_l1@ventanilla.test"]
    assert "Carmen Vidal" in email.body_text  # who gave it
    assert "Asignado a ti" in email.subject
    assert set(sent("agent_assigned", ticket)) == {"agent_l1@ventanilla.test"}


def test_taking_a_case_yourself_sends_nothing(cast, make_ticket):
    ticket = make_ticket()
    ticket_assign(ticket=ticket, by=cast.users["agent_l1"], assignee=cast.users["agent_l1"])
    assert sent("agent_assigned", ticket) == {}


def test_triage_with_an_assignee_tells_them(cast, make_ticket):
    colleague = another_agent(cast, "agent_l1b", cast.teams["l1"])
    ticket = triaged(cast, make_ticket(), assignee=colleague)
    assert set(sent("agent_assigned", ticket)) == {colleague.email}


def test_the_language_is_the_recipients(cast, make_ticket):
    colleague = another_agent(cast, "agent_en", cast.teams["l1"], language="en")
    ticket = make_ticket()
    ticket_assign(ticket=ticket, by=cast.users["agent_l1"], assignee=colleague)
    english = sent("agent_assigned", ticket)[colleague.email]
    assert english.subject.startswith(f"[{ticket.number}] Assigned to you")
    assert "Open the case in the console" in english.body_html
    spanish = sent("agent_new_case", ticket)["agent_l1@ventanilla.test"]
    english_new = sent("agent_new_case", ticket)[colleague.email]
    assert "Nuevo caso" in spanish.subject and "New case" in english_new.subject


def test_triage_to_an_l2_team_tells_that_team_as_a_new_case(cast, make_ticket):
    ticket = make_ticket()
    OutboundEmail.objects.filter(template="agent_new_case").delete()
    triaged(cast, ticket, team=cast.teams["l2"])
    assert set(sent("agent_new_case", ticket)) == {"agent_l2@ventanilla.test"}


def test_triage_to_an_l1_team_does_not_repeat_the_new_case_email(cast, make_ticket):
    ticket = make_ticket()
    OutboundEmail.objects.filter(template="agent_new_case").delete()
    triaged(cast, ticket, team=cast.teams["l1"])
    assert sent("agent_new_case", ticket) == {}


def test_moving_a_case_to_another_team_tells_that_team(cast, make_ticket):
    ticket = triaged(cast, make_ticket(), team=cast.teams["l1"])
    OutboundEmail.objects.filter(template="agent_new_case").delete()
    ticket_update(ticket=ticket, by=cast.users["supervisor"], team=cast.teams["l2"])
    assert set(sent("agent_new_case", ticket)) == {"agent_l2@ventanilla.test"}


# ---- escalation ----


def test_escalation_tells_the_new_team_but_not_the_one_who_escalated(cast, make_ticket):
    l2_colleague = another_agent(cast, "agent_l2b", cast.teams["l2"])
    ticket = triaged(cast, make_ticket())
    ticket_escalate(
        ticket=ticket, by=cast.users["agent_l1"], reason="Es un problema de red", team=None
    )
    got = sent("agent_escalated", ticket)
    assert set(got) == {"agent_l2@ventanilla.test", l2_colleague.email}
    assert "Es un problema de red" in got["agent_l2@ventanilla.test"].body_text
    assert "Sistemas L2" in got["agent_l2@ventanilla.test"].body_text


def test_escalating_to_your_own_team_does_not_tell_you(cast, make_ticket):
    Agent.objects.get(user=cast.users["agent_l1"]).teams.add(cast.teams["l2"])
    ticket = triaged(cast, make_ticket())
    ticket_escalate(ticket=ticket, by=cast.users["agent_l1"], reason="Red", team=cast.teams["l2"])
    assert set(sent("agent_escalated", ticket)) == {"agent_l2@ventanilla.test"}


# ---- the customer replied ----


def test_a_customer_reply_reaches_the_assignee_once(cast, make_ticket):
    ticket = triaged(cast, make_ticket(), assignee=cast.users["agent_l2"])
    ticket_reply(ticket=ticket, by=cast.users["customer"], text="Sigue fallando")
    assert set(sent("ticket_customer_reply", ticket)) == {"agent_l2@ventanilla.test"}
    email = sent("ticket_customer_reply", ticket)["agent_l2@ventanilla.test"]
    assert f"/consola/casos/{ticket.number}/" in email.body_text


def test_staff_only_mail_stays_out_of_the_customer_thread(cast, make_ticket):
    ticket = triaged(cast, make_ticket(), assignee=cast.users["agent_l2"])
    ticket_reply(ticket=ticket, by=cast.users["customer"], text="Sigue fallando")
    staff_templates = ["agent_new_case", "agent_assigned", "ticket_customer_reply"]
    staff_ids = set(
        OutboundEmail.objects.filter(ticket=ticket, template__in=staff_templates).values_list(
            "message_id", flat=True
        )
    )
    assert staff_ids
    ticket_reply(ticket=ticket, by=cast.users["agent_l2"], text="Lo miro")
    reply = OutboundEmail.objects.filter(ticket=ticket, template="ticket_reply").latest("pk")
    assert not staff_ids & set(reply.headers["References"].split())


# ---- preferences ----


def test_agent_preferences_switch_agent_notifications_off(cast, make_ticket):
    notification_preferences_save(
        user=cast.users["agent_l1"],
        values={"team_new_case": False, "assigned_to_me": False, "customer_replied": False},
    )
    ticket = make_ticket()
    assert sent("agent_new_case", ticket) == {}
    ticket_assign(ticket=ticket, by=cast.users["supervisor"], assignee=cast.users["agent_l1"])
    assert sent("agent_assigned", ticket) == {}
    ticket_reply(ticket=ticket, by=cast.users["customer"], text="¿Alguna novedad?")
    assert sent("ticket_customer_reply", ticket) == {}


def test_escalation_preference(cast, make_ticket):
    notification_preferences_save(user=cast.users["agent_l2"], values={"escalated_to_team": False})
    ticket = triaged(cast, make_ticket())
    ticket_escalate(ticket=ticket, by=cast.users["agent_l1"], reason="Red")
    assert sent("agent_escalated", ticket) == {}


def test_customer_preferences_switch_updates_off_but_not_the_mandatory_ones(cast, make_ticket):
    notification_preferences_save(
        user=cast.users["customer"], values={"case_status": False, "case_reply": False}
    )
    ticket = make_ticket()
    assert set(sent("ticket_received", ticket)) == {"lucia@talleresebro.test"}  # mandatory
    ticket = triaged(cast, ticket, assignee=cast.users["agent_l1"])
    ticket_reply(ticket=ticket, by=cast.users["agent_l1"], text="Lo estamos mirando")
    assert sent("ticket_reply", ticket) == {}
    ticket_request_info(ticket=ticket, by=cast.users["agent_l1"], question="¿Qué versión usa?")
    statuses = OutboundEmail.objects.filter(ticket=ticket, template="ticket_status")
    # "esperando al cliente" is always sent (seed 000), the triage/progress emails are not
    assert statuses.count() == 1
    assert "Esperando al cliente" in statuses.get().body_text


def test_the_resolved_email_follows_the_status_preference(cast, make_ticket):
    colleague = cast.contacts["colleague"]
    ticket = make_ticket(participants=[colleague])
    ticket = triaged(cast, ticket)
    notification_preferences_save(user=cast.users["customer"], values={"case_status": False})
    ticket_resolve(ticket=ticket, by=cast.users["agent_l1"], resolution="Reinstalado")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    resolved = [e for e in OutboundEmail.objects.filter(ticket=ticket, template="ticket_status")]
    last = {e.to[0] for e in resolved if "Resuelto" in e.subject or "Resuelto" in e.body_text}
    assert colleague.email in last and "lucia@talleresebro.test" not in last


def test_sla_warnings_honour_the_preference(cast, make_ticket):
    ticket = triaged(cast, make_ticket(), assignee=cast.users["agent_l1"])
    before = {email for email, _lang in staff_recipients(ticket, None, breach=True)}
    assert "agent_l1@ventanilla.test" in before
    notification_preferences_save(user=cast.users["agent_l1"], values={"sla_alerts": False})
    after = {email for email, _lang in staff_recipients(ticket, None, breach=True)}
    assert after == before - {"agent_l1@ventanilla.test"}
    assert "supervisor@ventanilla.test" in after


def test_one_preference_query_per_event_whatever_the_number_of_agents(cast, make_ticket):
    for n in range(5):
        another_agent(cast, f"agent_x{n}", cast.teams["l1"])
    with CaptureQueriesContext(connection) as queries:
        ticket = make_ticket()
    table = NotificationPreference._meta.db_table
    preference_queries = [q for q in queries.captured_queries if table in q["sql"]]
    assert len(sent("agent_new_case", ticket)) == 6
    # the customer acknowledgement is mandatory (no query); the agents cost one
    assert len(preference_queries) == 1
