"""The console's presence heartbeat (branch `floor`): "nobody else, nothing new" answered from
one prepared statement with the bytes of the full path; anything to show takes the full path."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ventanilla.tickets import polls
from ventanilla.tickets.models import CasePresence, Message
from ventanilla.tickets.services import presence_touch, ticket_add_note, ticket_reply

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _url(ticket):
    return reverse("console:case_presence", args=[ticket.number])


def _last(ticket):
    return Message.objects.filter(ticket=ticket).order_by("-id").values_list("pk", flat=True)[0]


def test_quiet_heartbeat_is_the_full_path_byte_for_byte(client, cast, make_ticket, monkeypatch):
    ticket = make_ticket()
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Lo miramos")
    client.force_login(cast.agent_l1)
    params = {"seen": _last(ticket)}
    quick = client.get(_url(ticket), params, headers=HTMX)
    monkeypatch.setattr(polls, "presence_quiet", lambda *args, **kwargs: False)
    full = client.get(_url(ticket), params, headers=HTMX)
    assert quick.status_code == full.status_code == 200
    assert quick.content == full.content


def test_quiet_heartbeat_costs_five_queries(client, cast, make_ticket, django_assert_num_queries):
    ticket = make_ticket()
    client.force_login(cast.agent_l1)
    client.get(_url(ticket), {"seen": 0}, headers=HTMX)  # the first heartbeat creates the row
    # session, user, case, UPDATE of the heartbeat, the quiet check
    with django_assert_num_queries(5):
        assert client.get(_url(ticket), {"seen": 0}, headers=HTMX).status_code == 200
    assert CasePresence.objects.filter(ticket=ticket, user=cast.agent_l1).count() == 1


def test_presence_quiet_answers_as_the_selectors(cast, make_ticket):
    ticket = make_ticket()  # the opening is not a message
    me, other = cast.agent_l1, cast.agent_l2
    assert polls.presence_quiet(ticket, me, 0)
    ticket_reply(ticket=ticket, by=me, text="Mía")
    assert polls.presence_quiet(ticket, me, 0)  # my own message is not news
    ticket_add_note(ticket=ticket, by=other, text="Nota de otro")
    assert not polls.presence_quiet(ticket, me, 0)  # someone else's note is
    seen = _last(ticket)
    assert polls.presence_quiet(ticket, me, seen)
    # A message with no user author (the customer by email) is news.
    message = ticket_reply(ticket=ticket, by=cast.customer, text="Por correo")
    Message.objects.filter(pk=message.pk).update(author=None)
    assert not polls.presence_quiet(ticket, me, seen)
    seen = _last(ticket)
    assert polls.presence_quiet(ticket, me, seen)
    # Another agent on the case within 45 s; not after; and never me.
    presence_touch(ticket=ticket, by=other, now=timezone.now() - timedelta(seconds=30))
    assert not polls.presence_quiet(ticket, me, seen)
    assert polls.presence_quiet(ticket, other, seen)
    CasePresence.objects.filter(user=other).update(seen_at=timezone.now() - timedelta(seconds=50))
    assert polls.presence_quiet(ticket, me, seen)


def test_heartbeat_with_someone_else_shows_them(client, cast, make_ticket):
    ticket = make_ticket()
    presence_touch(ticket=ticket, by=cast.agent_l2, composing=True)
    client.force_login(cast.agent_l1)
    body = client.get(_url(ticket), {"seen": 0}, headers=HTMX).content.decode()
    assert "Diego" in body and "escribiendo" in body


def test_heartbeat_of_a_case_not_visible_is_404(client, cast, make_ticket, settings):
    settings.VENTANILLA_AGENT_SCOPE = "teams"
    ticket = make_ticket(product=cast.products["net"])
    ticket.team = cast.teams["l2"]
    ticket.save(update_fields=["team"])
    client.force_login(cast.agent_l1)
    assert client.get(_url(ticket), {"seen": 0}, headers=HTMX).status_code == 404
