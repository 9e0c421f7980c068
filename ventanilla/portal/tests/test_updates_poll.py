"""The customer case page's 12 s poll (`portal:case_updates`, branch `floor`): "nothing new" is
answered from one narrow query with the same bytes as the full path; anything new (a public
message, a status change, a stale status) takes the full path."""

import pytest
from django.urls import reverse

from ventanilla.tickets import polls
from ventanilla.tickets.models import Event, Message
from ventanilla.tickets.services import ticket_add_note, ticket_reply, ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _params(ticket):
    message = Message.objects.filter(ticket=ticket, kind="public").order_by("-id").first()
    event = Event.objects.filter(ticket=ticket, kind="status").order_by("-id").first()
    ticket.refresh_from_db()
    return {"m": message.pk if message else 0, "e": event.pk if event else 0, "s": ticket.status}


def _full_path(monkeypatch):
    """Make the narrow check always say "something is new": the view's full path runs."""
    narrow = polls.case_news

    def always_new(*args, **kwargs):
        ticket = narrow(*args, **kwargs)
        ticket.has_new_messages = True
        return ticket

    monkeypatch.setattr(polls, "case_news", always_new)


@pytest.mark.parametrize("language", ["es", "en"])
def test_nothing_new_is_the_full_path_byte_for_byte(
    client, cast, make_ticket, monkeypatch, language
):
    ticket = make_ticket()
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Hola, lo miramos")
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    client.force_login(cast.customer)
    client.cookies["django_language"] = language
    url = reverse("portal:case_updates", kwargs={"number": ticket.number})
    quiet = _params(ticket)
    cases = [
        (quiet, True),
        ({**quiet, "m": 10**9, "e": 10**9}, True),  # ids from the future: nothing after them
        ({"m": "x", "e": "-3", "s": ticket.status}, False),  # bad numbers count as 0
        ({"s": ticket.status}, False),
        ({**quiet, "s": "nonsense"}, False),
    ]
    fast = [client.get(url, params, headers=HTMX) for params, _ in cases]
    _full_path(monkeypatch)
    full = [client.get(url, params, headers=HTMX) for params, _ in cases]
    for (params, nothing_new), quick, slow in zip(cases, fast, full, strict=True):
        assert quick.status_code == slow.status_code == 200
        assert ("hx-swap-oob" not in quick.content.decode()) is nothing_new, params
        if nothing_new:
            assert quick.content == slow.content, params
        else:  # both took the full path ("hace un segundo" may have become "ahora" meanwhile)
            assert "hx-swap-oob" in slow.content.decode(), params


def test_nothing_new_costs_the_session_the_user_the_case_and_one_check(
    client, cast, make_ticket, django_assert_num_queries
):
    ticket = make_ticket()
    client.force_login(cast.customer)
    url = reverse("portal:case_updates", kwargs={"number": ticket.number})
    params = _params(ticket)
    with django_assert_num_queries(4):
        assert client.get(url, params, headers=HTMX).status_code == 200


def test_news_go_through_the_full_path(client, cast, make_ticket):
    ticket = make_ticket()
    client.force_login(cast.customer)
    url = reverse("portal:case_updates", kwargs={"number": ticket.number})
    params = _params(ticket)

    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="NOTA INTERNA")
    quiet = client.get(url, params, headers=HTMX).content.decode()
    assert "hx-swap-oob" not in quiet and "NOTA INTERNA" not in quiet  # notes are not news

    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Estamos en ello")
    news = client.get(url, params, headers=HTMX).content.decode()
    assert "Estamos en ello" in news and 'hx-swap-oob="beforeend:#timeline"' in news
    assert "NOTA INTERNA" not in news

    params = _params(ticket)
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    status = client.get(url, params, headers=HTMX).content.decode()
    assert 'id="case-status" class="case-head__status" hx-swap-oob="true"' in status

    # A page that shows an old status (the status event already seen) refreshes its panels.
    stale = {**_params(ticket), "s": Status.WAITING_FOR_SUPPORT}
    refreshed = client.get(url, stale, headers=HTMX).content.decode()
    assert 'hx-swap-oob="true"' in refreshed


def test_case_news_flags(cast, make_ticket):
    ticket = make_ticket()
    params = _params(ticket)
    args = {"after_message": params["m"], "after_event": params["e"]}
    quiet = polls.case_news(cast.customer, ticket.number, **args)
    assert (quiet.has_new_messages, quiet.has_new_events) == (False, False)
    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="nota")
    quiet = polls.case_news(cast.customer, ticket.number, **args)
    assert (quiet.has_new_messages, quiet.has_new_events) == (False, False)
    # Staff read internal notes: for them a note is news (as in selectors.ticket_messages).
    assert polls.case_news(cast.agent_l1, ticket.number, **args).has_new_messages
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    moved = polls.case_news(cast.customer, ticket.number, **args)
    assert (moved.has_new_messages, moved.has_new_events) == (False, True)


def test_poll_of_a_case_not_visible_is_404(client, cast, make_ticket):
    ticket = make_ticket(role="admin")  # a colleague's case the customer may not see
    client.force_login(cast.customer)
    url = reverse("portal:case_updates", kwargs={"number": ticket.number})
    assert client.get(url, {"m": 0, "e": 0, "s": "x"}, headers=HTMX).status_code == 404
