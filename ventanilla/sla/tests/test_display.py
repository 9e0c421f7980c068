"""Badges, the customer's sentence, the explain partial, sorting by deadline, compliance."""

from datetime import datetime, timedelta

import pytest
from django.template import Context, Template
from django.utils import translation

from ventanilla.sla.models import SlaClock
from ventanilla.sla.selectors import sla_compliance, tickets_by_next_deadline, with_sla_clocks
from ventanilla.sla.sweep import sla_sweep
from ventanilla.sla.tests.test_clocks import MADRID, MONDAY_10
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.services import ticket_reply, ticket_transition

pytestmark = pytest.mark.django_db


def render(source, **context):
    with translation.override("es"):
        return Template("{% load sla_tags %}" + source).render(Context(context))


def test_customer_sentence_in_plain_spanish(cast, make_ticket):
    ticket = make_ticket(severity="B", now=MONDAY_10)
    html = render("{% sla_promise ticket now %}", ticket=ticket, now=MONDAY_10)
    assert "Te responderemos mañana antes de las 10:00." in html
    c = make_ticket(severity="C", now=datetime(2026, 11, 20, 10, 30, tzinfo=MADRID))
    html = render(
        "{% sla_promise ticket now %}", ticket=c, now=datetime(2026, 11, 20, 11, 0, tzinfo=MADRID)
    )
    assert "Te responderemos antes del miércoles 25 a las 10:30." in html
    ticket_transition(
        ticket=ticket, to_status="waiting_on_customer", by=cast.agent_l1, now=MONDAY_10
    )
    html = render("{% sla_promise ticket now %}", ticket=ticket, now=MONDAY_10)
    assert "en pausa mientras esperamos tu respuesta" in html and "sla-promise--paused" in html


def test_customer_sees_only_contractual_and_resolution_after_answer(cast, make_ticket):
    ticket = make_ticket(severity="C", priority="high", now=MONDAY_10)
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Hola", now=MONDAY_10)
    html = render("{% sla_promise ticket now %}", ticket=ticket, now=MONDAY_10)
    assert "Prevemos resolver tu caso antes del jueves 26 a las 10:00." in html


def test_console_badges_by_state(cast, make_ticket):
    ticket = make_ticket(severity="A", now=MONDAY_10)
    html = render(
        "{% sla_badges ticket now=now %}", ticket=ticket, now=MONDAY_10 + timedelta(minutes=15)
    )
    assert "sla-badge--ok" in html and "quedan 45 min" in html and "(interno)" in html
    html = render(
        "{% sla_next_badge ticket now %}", ticket=ticket, now=MONDAY_10 + timedelta(minutes=50)
    )
    assert "sla-badge--warning" in html and "Primera respuesta" in html
    html = render(
        "{% sla_next_badge ticket now %}", ticket=ticket, now=MONDAY_10 + timedelta(minutes=75)
    )
    assert "sla-badge--breached" in html and "vencido hace 15 min" in html
    ticket_transition(
        ticket=ticket,
        to_status="waiting_on_customer",
        by=cast.agent_l1,
        now=MONDAY_10 + timedelta(minutes=20),
    )
    html = render(
        "{% sla_next_badge ticket now %}", ticket=ticket, now=MONDAY_10 + timedelta(hours=5)
    )
    assert "sla-badge--paused" in html and "en pausa · quedan 40 min" in html
    clock = SlaClock.objects.get(ticket=ticket, kind="contractual", target="start_of_work")
    assert "sla-badge--met" in render("{% sla_badge clock %}", clock=clock)


def test_business_time_left_skips_the_night(make_ticket):
    ticket = make_ticket(severity="B", now=datetime(2026, 11, 23, 17, 0, tzinfo=MADRID))
    html = render(
        "{% sla_next_badge ticket now %}",
        ticket=ticket,
        now=datetime(2026, 11, 23, 17, 30, tzinfo=MADRID),
    )
    assert "quedan 9 h" in html  # 30 min today + 8 h 30 min tomorrow, not 23 h 30


def test_explain_names_the_policy_and_the_matching_conditions(cast, make_ticket):
    ticket = make_ticket(severity="A", priority="low", now=MONDAY_10)
    ticket_transition(
        ticket=ticket, to_status="waiting_on_customer", by=cast.agent_l1, now=MONDAY_10
    )
    ticket_transition(
        ticket=ticket, to_status="in_progress", by=cast.agent_l1, now=MONDAY_10 + timedelta(hours=1)
    )
    sla_sweep(now=MONDAY_10 + timedelta(hours=2))
    html = render("{% sla_explain ticket now %}", ticket=ticket, now=MONDAY_10 + timedelta(hours=3))
    assert "Gravedad A · crítica (24×7)" in html and "Gravedad = A · crítica" in html
    assert "Prioridad baja" in html and "Prioridad = Baja" in html
    assert "Interno · Gravedad A" in html
    assert "60 min" in html  # the pause
    assert "vencido hace" in html and "incumplido" in html


def test_sort_by_next_deadline_in_one_query(cast, make_ticket, django_assert_num_queries):
    late = make_ticket(severity="C", now=MONDAY_10)
    soon = make_ticket(severity="A", now=MONDAY_10)
    middle = make_ticket(severity="B", now=MONDAY_10)
    done = make_ticket(severity="A", now=MONDAY_10)
    ticket_transition(ticket=done, to_status="cancelled", by=cast.customer, now=MONDAY_10)
    with django_assert_num_queries(1):
        ordered = list(tickets_by_next_deadline(Ticket.objects.all()))
    assert [t.pk for t in ordered] == [soon.pk, middle.pk, late.pk, done.pk]
    assert ordered[0].sla_next_due == MONDAY_10 + timedelta(hours=1)
    with django_assert_num_queries(2):
        rows = list(with_sla_clocks(Ticket.objects.all()))
        html = "".join(render("{% sla_next_badge t now %}", t=t, now=MONDAY_10) for t in rows)
    assert html.count("sla-badge--ok") == 3


def test_compliance_by_organization_severity_team_month(cast, make_ticket):
    ok = make_ticket(severity="A", now=MONDAY_10)
    ticket_reply(ticket=ok, by=cast.agent_l1, text="Hola", now=MONDAY_10 + timedelta(minutes=10))
    late = make_ticket(role="outsider", severity="A", now=MONDAY_10)
    ticket_reply(ticket=late, by=cast.agent_l1, text="Hola", now=MONDAY_10 + timedelta(hours=2))
    rows = {r["key"]: r for r in sla_compliance(by="organization")}
    assert rows["Talleres Ebro S.L."]["percent"] == 100.0
    assert rows["Bodegas Albar S.A."]["missed"] == 1 and rows["Bodegas Albar S.A."]["percent"] == 0
    assert {r["key"]: r["total"] for r in sla_compliance(by="severity")} == {"A": 2}
    month = sla_compliance(by="month")
    assert len(month) == 1 and month[0]["key"].month == 11 and month[0]["percent"] == 50.0
    assert sla_compliance(by="team")[0]["key"] is None
    internal = sla_compliance(by="severity", kind="internal")
    assert internal[0]["met"] == 1
