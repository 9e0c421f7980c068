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


# ---- lists ---- (issue 7, round 3) queue rows as narrow tuples, and their short cache


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("queue", ["all", "breaching", "mine"])
def test_narrow_rows_are_the_template_loop_byte_for_byte(cast, make_ticket, language, queue):
    from ventanilla.console.rows import queue_rows_html

    varied(cast, make_ticket)
    loop = Template(LOOP.read_text())
    user = cast.agent_l1 if queue == "mine" else cast.supervisor
    with time_machine.travel(timezone.now(), tick=False), translation.override(language):
        rows, cursor = selectors.queue_page_rows(user, queue)
        tickets, same_cursor = selectors.queue_page(user, queue)
        assert rows and [r.pk for r in rows] == [t.pk for t in tickets]
        assert cursor == same_cursor
        full = list(
            with_sla_clocks(
                Ticket.objects.filter(pk__in=[t.pk for t in tickets]).select_related(
                    *selectors.LIST_RELATED
                )
            )
        )
        full.sort(key=lambda t: [r.pk for r in rows].index(t.pk))
        expected = loop.render(Context({"tickets": full}))
        assert queue_rows_html(rows) == expected
    if queue == "all":
        assert "sla-badge--breached" in expected and "sla-badge--paused" in expected


@pytest.mark.parametrize("queue", ["all", "breaching"])
def test_narrow_rows_page_like_queue_page(cast, make_ticket, monkeypatch, queue):
    now = timezone.now()
    for hours in (5, 1, 3, 1, 8, 2, 6):
        make_ticket(severity="A", now=now - timedelta(hours=hours))
    monkeypatch.setattr(selectors, "BREACHING_WALK_BATCH", 2)
    for rounds in (5, 1):  # 1: the walk gives up, the sorted query answers
        monkeypatch.setattr(selectors, "BREACHING_WALK_ROUNDS", rounds)
        for limit in (1, 3, 50):
            seen, models, cursor, model_cursor = [], [], None, None
            while True:
                page, cursor = selectors.queue_page_rows(
                    cast.supervisor, queue, cursor=cursor, limit=limit
                )
                same, model_cursor = selectors.queue_page(
                    cast.supervisor, queue, cursor=model_cursor, limit=limit
                )
                seen += page
                models += same
                assert cursor == model_cursor
                if not cursor:
                    break
            assert [r.pk for r in seen] == [t.pk for t in models] and len(seen) == 7


def test_queue_count_rows_is_queue_count(cast, make_ticket):
    for _ in range(4):
        make_ticket()
    waiting = make_ticket()
    ticket_assign(ticket=waiting, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=waiting, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
    assert selectors.queue_count(cast.supervisor, "breaching") == 4  # has clocks; one paused
    for name in ("untriaged", "all", "mine", "breaching"):
        for cap in (2, 1000):
            assert selectors.queue_count_rows(
                cast.supervisor, name, cap=cap
            ) == selectors.queue_count(cast.supervisor, name, cap=cap)


def _queue_numbers(client, url="/consola/colas/todos/"):
    import re

    return re.findall(r'name="numbers" value="([^"]+)"', client.get(url).content.decode())


def test_queue_rows_cache_is_short_shared_only_by_equal_scopes_and_reads_own_writes(
    client, cast, make_ticket, settings, frozen_clock
):
    from django.core.cache import cache

    from ventanilla.tickets.services import ticket_assign

    settings.VENTANILLA_LIST_ROWS_SECONDS = 60
    cache.clear()
    first = make_ticket(severity="B")
    client.force_login(cast.supervisor)
    assert _queue_numbers(client) == [first.number]
    second = make_ticket(severity="B")  # by another hand: the cached rows may lag (up to the TTL)
    assert _queue_numbers(client) == [first.number]
    # another filter: another key
    assert len(_queue_numbers(client, "/consola/colas/todos/?severity=B")) == 2
    # my own write (any POST): my lists are fresh at once and while the mark lasts
    response = client.post(
        "/consola/colas/acciones/",
        {"numbers": [second.number], "action": "priority", "value": "high"},
    )
    assert response.status_code == 302 and "vt_fresh" in response.cookies
    assert sorted(_queue_numbers(client)) == sorted([first.number, second.number])
    third = make_ticket()
    assert third.number in _queue_numbers(client)
    # "mine" is per person: an agent never gets another agent's "mine"
    ticket_assign(ticket=first, by=cast.supervisor, assignee=cast.agent_l1)
    cache.clear()
    other = client.__class__()
    other.force_login(cast.agent_l1)
    assert _queue_numbers(other, "/consola/colas/mis-casos/") == [first.number]
    client.cookies.pop("vt_fresh", None)
    assert _queue_numbers(client, "/consola/colas/mis-casos/") == []
    cache.clear()


def test_team_scoped_agents_never_share_cached_rows(cast, settings):
    from django.core.cache import cache

    from ventanilla.console.queue_views import _visibility_key

    settings.VENTANILLA_AGENT_SCOPE = "all"
    assert _visibility_key(cast.agent_l1, "all") == _visibility_key(cast.agent_l2, "all") == "all"
    assert _visibility_key(cast.agent_l1, "mine") != _visibility_key(cast.agent_l2, "mine")
    settings.VENTANILLA_AGENT_SCOPE = "teams"
    assert _visibility_key(cast.agent_l1, "all") != _visibility_key(cast.agent_l2, "all")
    assert _visibility_key(cast.supervisor, "all") == "all"
    cache.clear()


def test_console_home_lists_are_cached_per_agent(client, cast, make_ticket, settings, frozen_clock):
    from django.core.cache import cache

    def my_cases(page_client):
        return page_client.get("/consola/").content.decode().split('id="mine-title"')[1]

    settings.VENTANILLA_LIST_ROWS_SECONDS = 60
    cache.clear()
    ticket = make_ticket()
    ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l1)
    client.force_login(cast.agent_l2)
    assert ticket.number not in my_cases(client)  # cached for l2 now
    other = client.__class__()
    other.force_login(cast.agent_l1)
    assert ticket.number in my_cases(other)  # l1 has a key of their own
    cache.clear()


@pytest.fixture
def frozen_clock():
    """The rows cache's key holds the current minute: a test must not cross one."""
    with time_machine.travel(timezone.now(), tick=False):
        yield
