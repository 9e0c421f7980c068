"""The SLA shown where people work: the "A punto de incumplir" queue, a deadline badge in every
queue row, badges and the explain panel on the console case page, the promise on the customer's
case page. Constant queries, team scoping, and how it looks (screenshots)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ventanilla.sla.models import ClockState, SlaClock
from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD
from ventanilla.tickets.selectors import breaching_count, queue_page
from ventanilla.tickets.services import ticket_assign, ticket_transition, ticket_triage
from ventanilla.tickets.workflow import Status

BREACHING = "console:breaching"


def numbers(response):
    return [t.number for t in response.context["tickets"]]


def next_due(ticket):
    return (
        SlaClock.objects.filter(ticket=ticket, state=ClockState.RUNNING, kind="contractual")
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )


def mixed(cast, make_ticket):
    """An old severity-A case (overdue), a fresh severity-C one, a paused one, a resolved one."""
    now = timezone.now()
    late = make_ticket(severity="A", subject="Caída total del ERP", now=now - timedelta(days=3))
    fresh = make_ticket(severity="C", subject="Duda sobre un informe")
    paused = make_ticket(severity="A", subject="Esperamos un log")
    ticket_assign(ticket=paused, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=paused, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
    done = make_ticket(severity="A", subject="Ya resuelto")
    ticket_assign(ticket=done, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=done, to_status=Status.RESOLVED, by=cast.agent_l1)
    return late, fresh, paused, done


@pytest.mark.django_db
def test_breaching_queue_holds_running_deadlines_soonest_first(client, cast, make_ticket):
    late, fresh, paused, done = mixed(cast, make_ticket)
    assert next_due(late) < next_due(fresh)
    client.force_login(cast.agent_l1)
    response = client.get(reverse(BREACHING))
    assert response.status_code == 200
    assert numbers(response) == [late.number, fresh.number]
    assert paused.number not in numbers(response) and done.number not in numbers(response)
    body = response.content.decode()
    assert "A punto de incumplir" in body
    assert "sla-badge--breached" in body  # the overdue case is red
    assert body.index("Caída total del ERP") < body.index("Duda sobre un informe")


@pytest.mark.django_db
def test_breaching_queue_filters_and_htmx_fragment(client, cast, make_ticket):
    late, fresh, *_ = mixed(cast, make_ticket)
    client.force_login(cast.agent_l1)
    assert numbers(client.get(reverse(BREACHING), {"severity": "C"})) == [fresh.number]
    assert numbers(client.get(reverse(BREACHING), {"q": late.number})) == [late.number]
    fragment = client.get(reverse(BREACHING), {"severity": "A"}, HTTP_HX_REQUEST="true")
    assert 'id="queue-results"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()
    empty = client.get(reverse(BREACHING), {"severity": "B"})
    assert numbers(empty) == [] and "No case matches these filters." not in empty.content.decode()


@pytest.mark.django_db
def test_breaching_keyset_pages_follow_the_deadline_order(cast, make_ticket):
    now = timezone.now()
    for index in range(7):
        make_ticket(severity="ABC"[index % 3], now=now - timedelta(hours=index * 5))
    whole, _ = queue_page(cast.supervisor, "breaching", limit=100)
    seen, cursor = [], None
    while True:
        page, cursor = queue_page(cast.supervisor, "breaching", cursor=cursor, limit=3)
        seen += page
        if cursor is None:
            break
    assert [t.number for t in seen] == [t.number for t in whole] and len(seen) == 7
    dues = [t.sla_next_due for t in seen]
    assert dues == sorted(dues)


@pytest.mark.django_db
def test_show_more_in_the_breaching_queue(client, cast, make_ticket, monkeypatch):
    from ventanilla.console import queue_views

    monkeypatch.setattr(queue_views, "PAGE_SIZE", 2)
    for _ in range(3):
        make_ticket()
    client.force_login(cast.agent_l1)
    first = client.get(reverse(BREACHING))
    cursor = first.context["next_cursor"]
    assert cursor and len(first.context["tickets"]) == 2
    more = client.get(reverse(BREACHING), {"after": cursor}, HTTP_HX_REQUEST="true")
    assert len(more.context["tickets"]) == 1
    assert {t.number for t in first.context["tickets"]}.isdisjoint(numbers(more))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["breaching", "all"])
def test_queues_with_badges_cost_the_same_queries_for_2_and_30_cases(
    client, cast, make_ticket, name
):
    def add(count):
        for index in range(count):
            ticket = make_ticket(
                role="admin" if index % 2 else "customer", severity="AB"[index % 2]
            )
            ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l1)

    def cost():
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse(f"console:{name}"))
            assert response.status_code == 200
        return len(context.captured_queries), response

    client.force_login(cast.agent_l1)
    add(2)
    few, _ = cost()
    add(28)
    many, response = cost()
    assert many == few, (few, many)
    assert response.content.decode().count('class="sla-badge ') >= 30  # one badge per row


@pytest.mark.django_db
def test_agents_scoped_to_teams_see_only_their_teams_deadlines(client, cast, make_ticket, settings):
    settings.VENTANILLA_AGENT_SCOPE = "teams"
    other = make_ticket(subject="Cortafuegos L2")
    ticket_triage(
        ticket=other, by=cast.supervisor, product=cast.products["erp"], team=cast.teams["l2"]
    )
    client.force_login(cast.agent_l1)
    assert other.number not in numbers(client.get(reverse(BREACHING)))
    client.force_login(cast.agent_l2)
    assert other.number in numbers(client.get(reverse(BREACHING)))


@pytest.mark.django_db
def test_sidebar_counts_cases_warned_or_overdue(client, cast, make_ticket):
    mixed(cast, make_ticket)
    assert breaching_count(cast.supervisor) == 1  # only the overdue one: the fresh C is far off
    client.force_login(cast.supervisor)
    body = client.get(reverse("console:home")).content.decode()
    link = body.index(reverse(BREACHING))
    assert "A punto de incumplir" in body[link : link + 600]
    assert 'sidenav__count">1<' in body[link : link + 600]


@pytest.mark.django_db
def test_customers_cannot_open_the_breaching_queue(client, cast):
    client.force_login(cast.customer)
    assert client.get(reverse(BREACHING)).status_code == 403


@pytest.mark.django_db
def test_console_case_page_shows_badges_and_explain(client, cast, make_ticket):
    ticket = make_ticket(severity="A")
    client.force_login(cast.agent_l1)
    body = client.get(reverse("console:case_detail", args=[ticket.number])).content.decode()
    head = body[body.index('class="page-head case-head"') : body.index('class="case__main"')]
    assert 'class="sla-badges"' in head and "Primera respuesta" in head
    side = body[body.index('class="case__side"') :]
    assert "data-sla-explain" in side and "<details" in side
    assert "SLA: por qué estos plazos" in side
    assert "Gravedad = A" in side  # the condition that chose the policy


@pytest.mark.django_db
def test_customer_case_page_promises_a_time_only_while_open(client, cast, make_ticket):
    ticket = make_ticket(severity="A")
    client.force_login(cast.customer)
    url = reverse("portal:case_detail", args=[ticket.number])
    body = client.get(url).content.decode()
    assert 'class="sla-promise"' in body and "Te responderemos" in body
    assert "interno" not in body.lower()[body.index('id="case-promise"') :][:400]

    ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
    body = client.get(url).content.decode()
    assert "sla-promise--paused" in body and "en pausa" in body

    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    body = client.get(url).content.decode()
    assert 'id="case-promise"' in body and "sla-promise" not in body


@pytest.mark.django_db
def test_live_updates_refresh_the_promise_when_the_status_changes(client, cast, make_ticket):
    ticket = make_ticket(severity="A")
    ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_transition(ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
    client.force_login(cast.customer)
    url = reverse("portal:case_updates", args=[ticket.number])
    body = client.get(url, {"m": 0, "e": 0, "s": "in_progress"}).content.decode()
    assert 'id="case-promise"' in body and 'hx-swap-oob="true"' in body and "en pausa" in body


# ---- how it looks ----


def _scene(cast, make_ticket):
    now = timezone.now()
    late = make_ticket(
        severity="A", subject="Caída total del ERP en Zaragoza", now=now - timedelta(days=2)
    )
    ticket_assign(ticket=late, by=cast.supervisor, assignee=cast.agent_l2)
    soon = make_ticket(
        severity="A", subject="No se puede facturar", now=now - timedelta(minutes=50)
    )
    ticket_assign(ticket=soon, by=cast.supervisor, assignee=cast.agent_l1)
    make_ticket(role="outsider", severity="B", subject="Impresora de la bodega sin red")
    make_ticket(severity="C", subject="Duda sobre el informe de ventas")
    return late, soon


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sla_in_the_browser(page, live_server, cast, make_ticket):
    _late, soon = _scene(cast, make_ticket)
    login(page, live_server.url, cast.supervisor.email, PASSWORD)
    page.goto(live_server.url + reverse(BREACHING))
    assert page.locator("h1").inner_text() == "A punto de incumplir"
    assert page.locator(".queue__table .sla-badge--breached").count() >= 1
    screenshot(page, "slaui-breaching-queue")

    page.goto(live_server.url + reverse("console:case_detail", args=[soon.number]))
    page.locator("[data-sla-explain] > summary").click()
    assert page.locator(".sla-explain").is_visible()
    screenshot(page, "slaui-console-case")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse(BREACHING))
    screenshot(page, "slaui-breaching-queue-mobile")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.context.clear_cookies()
    login(page, live_server.url, cast.customer.email, PASSWORD)
    page.goto(live_server.url + reverse("portal:case_detail", args=[soon.number]))
    assert page.locator(".sla-promise").is_visible()
    screenshot(page, "slaui-portal-case")
