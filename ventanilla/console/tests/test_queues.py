"""Console queues: what each queue holds, filters, keyset pages, htmx fragments, constant
queries, team scoping, bulk actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ventanilla.tickets.models import Event
from ventanilla.tickets.selectors import queue_page
from ventanilla.tickets.services import ticket_assign, ticket_triage
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def triage(cast, ticket, **kwargs):
    kwargs.setdefault("product", cast.products["erp"])
    return ticket_triage(ticket=ticket, by=cast.supervisor, **kwargs)


def numbers(response):
    return [t.number for t in response.context["tickets"]]


def test_each_queue_holds_its_cases(client, cast, make_ticket):
    new = make_ticket(subject="Nuevo")
    mine = make_ticket(subject="Mío")
    triage(cast, mine, assignee=cast.agent_l1)
    client.force_login(cast.agent_l1)
    assert numbers(client.get(reverse("console:untriaged"))) == [new.number]
    assert numbers(client.get(reverse("console:mine"))) == [mine.number]
    assert numbers(client.get(reverse("console:team"))) == [mine.number]
    assert numbers(client.get(reverse("console:escalated"))) == []
    assert set(numbers(client.get(reverse("console:all")))) == {new.number, mine.number}


def test_filters_narrow_the_queue(client, cast, make_ticket):
    erp = make_ticket(severity="A")
    net = make_ticket(role="outsider", product=cast.products["net"], severity="C")
    client.force_login(cast.agent_l1)
    url = reverse("console:all")
    assert numbers(client.get(url, {"severity": "A"})) == [erp.number]
    assert numbers(client.get(url, {"product": cast.products["net"].pk})) == [net.number]
    assert numbers(client.get(url, {"organization": cast.orgs["b"].pk})) == [net.number]
    assert numbers(client.get(url, {"site": cast.sites["zaragoza"].pk})) == [erp.number]
    assert numbers(client.get(url, {"region": cast.regions["north"].pk})) == [erp.number]
    assert numbers(client.get(url, {"q": net.number})) == [net.number]
    assert numbers(client.get(url, {"assignee": "none", "channel": "web"})) == [
        net.number,
        erp.number,
    ]
    response = client.get(url, {"severity": "B"})
    assert b"No case matches these filters." in response.content or response.context["count"] == 0


def test_htmx_gets_only_the_results_fragment(client, cast, make_ticket):
    make_ticket()
    client.force_login(cast.agent_l1)
    response = client.get(reverse("console:all"), {"severity": "C"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'id="queue-results"' in body and "<html" not in body


def test_keyset_pages_cover_every_case_once(cast, make_ticket):
    made = {make_ticket().number for _ in range(7)}
    seen, cursor = [], None
    while True:
        page, cursor = queue_page(cast.supervisor, "all", cursor=cursor, limit=3)
        seen += [t.number for t in page]
        if cursor is None:
            break
    assert len(seen) == 7 and set(seen) == made


def test_show_more_appends_rows_by_htmx(client, cast, make_ticket, monkeypatch):
    from ventanilla.console import queue_views

    monkeypatch.setattr(queue_views, "PAGE_SIZE", 2)
    for _ in range(3):
        make_ticket()
    client.force_login(cast.agent_l1)
    first = client.get(reverse("console:all"))
    cursor = first.context["next_cursor"]
    assert cursor and len(first.context["tickets"]) == 2
    more = client.get(reverse("console:all"), {"after": cursor}, HTTP_HX_REQUEST="true")
    assert len(more.context["tickets"]) == 1 and "<table" not in more.content.decode()


def test_a_queue_on_one_page_counts_its_rows_without_a_count_query(
    client, cast, make_ticket, monkeypatch
):
    """Round 4: when the first page holds every match its rows are the count (a search that
    matches a few cases among a million no longer reads its matches twice)."""
    from ventanilla.console import queue_views

    for _ in range(3):
        make_ticket()
    client.force_login(cast.agent_l1)

    def shown(query=""):
        with CaptureQueriesContext(connection) as context:
            response = client.get(reverse("console:all") + query)
        counts = [q["sql"] for q in context.captured_queries if "COUNT(" in q["sql"].upper()]
        # the queue's own count (Django quotes the table; the sidebar's counts are cached)
        page_counts = [sql for sql in counts if '"tickets_ticket"' in sql and "LIMIT" in sql]
        return response.context["count"], len(page_counts)

    assert shown() == (3, 0)
    assert shown("?q=facturas") == (3, 0)
    monkeypatch.setattr(queue_views, "PAGE_SIZE", 2)
    assert shown() == (3, 1)
    assert shown("?q=facturas") == (3, 1)


@pytest.mark.parametrize("name", ["untriaged", "all", "mine"])
def test_queue_costs_the_same_queries_for_2_and_30_cases(client, cast, make_ticket, name):
    def add(count):
        for index in range(count):
            ticket = make_ticket(role="admin" if index % 2 else "customer")
            ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l1)

    def cost():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse(f"console:{name}")).status_code == 200
        return len(context.captured_queries)

    client.force_login(cast.agent_l1)
    add(2)
    few = cost()
    add(28)
    assert cost() == few


def test_agents_scoped_to_teams_do_not_find_other_teams_cases(client, cast, make_ticket, settings):
    settings.VENTANILLA_AGENT_SCOPE = "teams"
    other = make_ticket(subject="Cortafuegos L2")
    triage(cast, other, team=cast.teams["l2"])
    client.force_login(cast.agent_l1)
    assert numbers(client.get(reverse("console:all"), {"q": other.number})) == []
    assert client.get(reverse("console:case_detail", args=[other.number])).status_code == 404
    client.force_login(cast.agent_l2)
    assert numbers(client.get(reverse("console:all"), {"q": other.number})) == [other.number]
    client.force_login(cast.supervisor)
    assert numbers(client.get(reverse("console:all"), {"q": other.number})) == [other.number]


def test_bulk_assign_and_priority_write_one_event_per_case(client, cast, make_ticket):
    tickets = [make_ticket() for _ in range(3)]
    client.force_login(cast.agent_l1)
    url = reverse("console:bulk")
    chosen = [t.number for t in tickets[:2]]
    response = client.post(
        url, {"numbers": chosen, "action": "assign", "value": cast.agent_l2.pk, "next": "/x/"}
    )
    assert response.status_code == 302 and response["Location"] == "/x/"
    assigned = Event.objects.filter(kind=Event.Kind.ASSIGNED)
    assert sorted(assigned.values_list("ticket__number", flat=True)) == sorted(chosen)
    client.post(url, {"numbers": chosen, "action": "priority", "value": "high"})
    assert Event.objects.filter(kind=Event.Kind.CHANGED).count() == 2
    client.post(url, {"numbers": chosen, "action": "priority", "value": "urgentísima"})
    assert Event.objects.filter(kind=Event.Kind.CHANGED).count() == 2


def test_bulk_merge_into_one_case(client, cast, make_ticket):
    target, one, two = make_ticket(), make_ticket(), make_ticket()
    client.force_login(cast.agent_l1)
    client.post(
        reverse("console:bulk"),
        {"numbers": [one.number, two.number], "action": "merge_into", "value": target.number},
    )
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == two.status == Status.CANCELLED
    assert target.links_in.count() == 2


def test_bulk_never_redirects_to_another_site(client, cast, make_ticket):
    ticket = make_ticket()
    client.force_login(cast.agent_l1)
    response = client.post(
        reverse("console:bulk"),
        {"numbers": [ticket.number], "action": "priority", "value": "low", "next": "//evil.test/"},
    )
    assert response["Location"] == reverse("console:all")


def test_saved_views_keep_known_filters_per_agent(client, cast, make_ticket):
    from ventanilla.staff.models import SavedQueueView

    client.force_login(cast.agent_l1)
    url = reverse("console:saved_view_save")
    response = client.post(
        url, {"name": "Graves", "queue": "all", "params": "severity=A&evil=1&after=x"}
    )
    view = SavedQueueView.objects.get(user=cast.agent_l1)
    assert view.params == "severity=A"
    assert response["Location"] == reverse("console:all") + "?severity=A"
    assert "Graves" in client.get(reverse("console:mine")).content.decode()
    client.post(url, {"name": "", "queue": "all"})
    assert SavedQueueView.objects.count() == 1
    client.force_login(cast.agent_l2)
    assert "Graves" not in client.get(reverse("console:mine")).content.decode()
    delete = reverse("console:saved_view_delete", args=[view.pk])
    assert client.post(delete).status_code == 404
    client.force_login(cast.agent_l1)
    client.post(delete)
    assert not SavedQueueView.objects.exists()
