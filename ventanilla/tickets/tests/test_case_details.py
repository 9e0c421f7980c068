"""The case door loads a case with its page's neighbours in one prepared statement for those who
see every case (round 4): the same instances `select_related` gives, nothing left to query, and
the same 404s and visibility."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from ventanilla.tickets.access import DETAIL_RELATED, get_ticket_for_user_or_404
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.services import ticket_assign, ticket_triage

pytestmark = pytest.mark.django_db


def neighbours(ticket):
    """Every DETAIL_RELATED instance's field values, by path (None for an empty relation)."""
    out = {}
    for path in DETAIL_RELATED:
        obj, key = ticket, ""
        for name in path.split("__"):
            obj = getattr(obj, name) if obj is not None else None
            key = f"{key}__{name}" if key else name
            out[key] = (
                None
                if obj is None
                else {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
            )
    return out


@pytest.mark.parametrize("shape", ["bare", "triaged"])
def test_the_prepared_case_equals_select_related(cast, make_ticket, shape):
    ticket = make_ticket()
    if shape == "triaged":  # product, team and assignee filled in
        ticket_triage(ticket=ticket, by=cast.supervisor, product=cast.products["erp"])
        ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l1)
    expected = Ticket.objects.select_related(*DETAIL_RELATED).get(pk=ticket.pk)
    with CaptureQueriesContext(connection) as context:
        loaded = get_ticket_for_user_or_404(cast.supervisor, ticket.number, details=True)
        found = neighbours(loaded)
    assert len(context.captured_queries) == 1  # the one statement; every relation cached
    assert found == neighbours(expected)
    assert {f.attname: getattr(loaded, f.attname) for f in Ticket._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in Ticket._meta.concrete_fields
    }
    if shape == "bare":
        assert found["team"] is None  # an empty relation is cached as None, as the ORM does


def test_the_prepared_door_still_refuses_and_scopes(cast, make_ticket, settings):
    ticket = make_ticket()
    with pytest.raises(Http404):
        get_ticket_for_user_or_404(cast.supervisor, "C/1999/1", details=True)
    with pytest.raises(Http404):
        get_ticket_for_user_or_404(cast.users["outsider"], ticket.number, details=True)
    settings.VENTANILLA_AGENT_SCOPE = "teams"  # a scoped agent takes the ORM path, same answer
    found = get_ticket_for_user_or_404(cast.agent_l1, ticket.number, details=True)
    assert found.pk == ticket.pk and found.organization.pk == ticket.organization_id
