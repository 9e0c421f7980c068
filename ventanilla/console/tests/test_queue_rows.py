"""reads (issue 7): the queue rows built in Python (console/rows.py) are the markup of the
template loop they replaced, byte for byte, for every kind of row; the breaching queue's deadline
walk gives the same pages as the plain sorted query; the sidebar counters are right and cached."""

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation

from ventanilla.sla.models import ClockState, SlaClock
from ventanilla.sla.selectors import with_sla_clocks
from ventanilla.tickets import selectors
from ventanilla.tickets.models import Channel, Ticket
from ventanilla.tickets.services import ticket_assign, ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db
LOOP = Path(__file__).parent / "fixtures" / "queue_rows_loop.html"  # the loop before issue 7


def varied(cast, make_ticket):
    """Rows of every shape: phone, scheduled with a date, no product, assigned, clocks in every
    state (running, warned, overdue, paused, internal), escaping in subject and names."""
    now = timezone.now()
    late = make_ticket(
        severity="A", subject="Caída <b>total</b> & “urgente”", now=now - timedelta(days=3)
    )
    phone = make_ticket(severity="B", subject="Llamada", product=None)
    Ticket.objects.filter(pk=phone.pk).update(channel=Channel.PHONE)
    planned = make_ticket(severity="C")
    ticket_assign(ticket=planned, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=planned, to_status=Status.SCHEDULED, by=cast.agent_l1)
    Ticket.objects.filter(pk=planned.pk).update(planned_at=now + timedelta(days=2))
    paused = make_ticket(severity="A")
    ticket_assign(ticket=paused, by=cast.supervisor, assignee=cast.agent_l2)
    ticket_transition(ticket=paused, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l2)
    warned = make_ticket(severity="B", priority="high")
    SlaClock.objects.filter(ticket=warned).update(warned_at=now)
    done = make_ticket(severity="C", priority="low")
    ticket_assign(ticket=done, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=done, to_status=Status.RESOLVED, by=cast.agent_l1)
    return [late, phone, planned, paused, warned, done]


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("queue", ["all", "breaching"])
def test_queue_rows_are_the_template_loop_byte_for_byte(cast, make_ticket, language, queue):
    varied(cast, make_ticket)
    loop = Template(LOOP.read_text())
    new = Template("{% load console_ui %}{% queue_rows tickets %}")
    with time_machine.travel(timezone.now(), tick=False), translation.override(language):
        tickets, _ = selectors.queue_page(cast.supervisor, queue)
        assert tickets
        full = list(
            with_sla_clocks(
                Ticket.objects.filter(pk__in=[t.pk for t in tickets]).select_related(
                    *selectors.LIST_RELATED
                )
            )
        )
        order = [t.pk for t in tickets]
        full.sort(key=lambda t: order.index(t.pk))
        expected = loop.render(Context({"tickets": full}))
        assert new.render(Context({"tickets": tickets})) == expected
        assert loop.render(Context({"tickets": tickets})) == expected  # no lazy field either
    if queue == "all":
        assert "Caída &lt;b&gt;total&lt;/b&gt; &amp; “urgente”" in expected
        assert 'class="cell__meta">' in expected  # the phone channel / planned date


def test_breaching_walk_gives_the_sorted_pages(cast, make_ticket, monkeypatch):
    now = timezone.now()
    for hours in (5, 1, 3, 1, 8, 2, 6):
        make_ticket(severity="A", now=now - timedelta(hours=hours))
    # two clocks of one case: only its soonest counts, and it appears once
    extra = SlaClock.objects.filter(state=ClockState.RUNNING, kind="contractual").first()
    extra.pk, extra.due_at = None, extra.due_at + timedelta(days=30)
    extra.save()
    queryset = selectors.queue_tickets(cast.supervisor, "breaching")
    whole, _ = selectors._breaching_sorted(queryset, None, 100)
    monkeypatch.setattr(selectors, "BREACHING_WALK_BATCH", 2)  # many small windows
    for limit in (1, 2, 3, 50):
        seen, cursor = [], None
        while True:
            page, cursor = selectors.queue_page(
                cast.supervisor, "breaching", cursor=cursor, limit=limit
            )
            seen += page
            if not cursor:
                break
        assert [t.pk for t in seen] == [t.pk for t in whole]
        assert [t.sla_next_due for t in seen] == [t.sla_next_due for t in whole]
    monkeypatch.setattr(selectors, "BREACHING_WALK_ROUNDS", 1)  # too narrow: the sorted query
    page, _ = selectors.queue_page(cast.supervisor, "breaching", limit=5)
    assert [t.pk for t in page] == [t.pk for t in whole[:5]]


def test_console_nav_counts(cast, make_ticket, settings, django_assert_num_queries):
    from django.core.cache import cache

    make_ticket()
    mine = make_ticket()
    ticket_assign(ticket=mine, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=mine, to_status=Status.SCHEDULED, by=cast.agent_l1)
    with django_assert_num_queries(2):
        counts = selectors.console_nav_counts(cast.agent_l1)
    assert counts[Status.WAITING_FOR_SUPPORT] == 1
    assert counts[Status.SCHEDULED] == 1 and counts["mine"] == 1
    settings.VENTANILLA_NAV_COUNTS_SECONDS = 30
    cache.clear()
    selectors.console_nav_counts(cast.agent_l1)
    make_ticket()
    with django_assert_num_queries(0):  # cached: the pills may lag up to those seconds
        assert selectors.console_nav_counts(cast.agent_l1)[Status.WAITING_FOR_SUPPORT] == 1
    cache.clear()
