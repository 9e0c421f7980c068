"""Lists are cheap (rule 9): on PostgreSQL, each console queue query can be served by an index.

Sequential scans are switched off for the check, so the plan shows whether an index exists that
fits the queue's filter and order (on a small table the planner would pick a scan anyway)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.tickets.selectors import LIST_RELATED, queue_tickets

QUEUES = ("untriaged", "mine", "waiting", "scheduled", "escalated", "all")


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("name", QUEUES)
def test_queue_query_uses_an_index_on_tickets(cast, make_ticket, name):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    for _ in range(3):
        make_ticket()
    queryset = (
        queue_tickets(cast.agent_l1, name)
        .select_related(*LIST_RELATED)
        .order_by("-last_activity_at", "-id")[:51]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()
    ticket_lines = [line for line in plan.splitlines() if "tickets_ticket" in line]
    assert ticket_lines, plan
    assert not any("Seq Scan" in line for line in ticket_lines), plan
    assert any("Index" in line for line in ticket_lines), plan


# ---- reads ---- (issue 7) the customer case list and the case page's thread


def _assert_index_plan(queryset, table="tickets_ticket"):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()
    # the table's lines and its indexes' (Django shortens index names: "tickets_tic_status_…")
    lines = [line for line in plan.splitlines() if table[:11] in line]
    assert lines, plan
    assert f"Seq Scan on {table}" not in plan, plan
    assert any("Index" in line for line in lines), plan


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("customer", "mine"),
        ("site_manager", "local"),
        ("regional", "regional"),
        ("admin", "global"),
    ],
)
@pytest.mark.parametrize("group", ["", "open", "completed", "to_rate"])
def test_customer_list_page_query_uses_an_index(cast, make_ticket, role, scope, group):
    from ventanilla.tickets.selectors import case_filter_group, case_page_ids, case_search

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    for _ in range(3):
        make_ticket()
    found = case_search(cast.users[role], scope=scope)
    _assert_index_plan(case_page_ids(case_filter_group(found, group))[:25])


@pytest.mark.postgres
@pytest.mark.django_db
def test_case_page_thread_queries_use_an_index(cast, make_ticket):
    from ventanilla.tickets.models import Event
    from ventanilla.tickets.selectors import ticket_messages

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    ticket = make_ticket()
    for user in (cast.customer, cast.agent_l1):
        _assert_index_plan(ticket_messages(user, ticket), "tickets_message")
    events = Event.objects.filter(ticket=ticket, kind=Event.Kind.STATUS, pk__gt=0)
    _assert_index_plan(events.order_by("created_at", "id"), "tickets_event")


# ---- lists ---- (issue 7, round 3) the narrow queue rows' clock query and the breaching count


@pytest.mark.postgres
@pytest.mark.django_db
def test_narrow_rows_clocks_and_breaching_count_use_indexes(cast, make_ticket):
    from ventanilla.sla.models import SlaClock
    from ventanilla.sla.selectors import LIVE
    from ventanilla.tickets.selectors import _breaching_counted

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    ids = [make_ticket().pk for _ in range(3)]
    clocks = SlaClock.objects.filter(ticket_id__in=ids, state__in=LIVE, kind="contractual")
    _assert_index_plan(clocks.values_list("ticket_id", "due_at"), "sla_slaclock")
    _assert_index_plan(_breaching_counted(cast.agent_l1, {}).values("pk")[:1001])


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_breaching_pill_is_driven_by_the_warned_clocks(cast, make_ticket):
    """The sidebar's "A punto de incumplir" count takes the warned clocks first (an initplan)
    and fetches their cases by primary key: left to choose, PostgreSQL merge-joined in primary
    key order and walked every case of a million to find the open ones."""
    from ventanilla.tickets import selectors

    make_ticket()
    with CaptureQueriesContext(connection) as queries:
        count = selectors.breaching_count(cast.supervisor)
    captured = [q["sql"] for q in queries.captured_queries if "sla_slaclock" in q["sql"]]
    assert count == 0 and len(captured) == 1, captured
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in captured[0], captured[0]
    else:
        assert "EXISTS" not in captured[0] and " IN (SELECT" in captured[0], captured[0]
