"""Lists are cheap (rule 9): on PostgreSQL, each console queue query can be served by an index.

Sequential scans are switched off for the check, so the plan shows whether an index exists that
fits the queue's filter and order (on a small table the planner would pick a scan anyway)."""

import pytest
from django.db import connection

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
