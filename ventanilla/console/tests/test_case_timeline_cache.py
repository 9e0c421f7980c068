"""The case pages' timelines are cached (core/fragments.py, issue 7 round 3): with the cache ON,
every write that changes what a timeline shows must show at once, for staff and customers, and
nothing of one kind of viewer may reach another."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from ventanilla.core.fragments import refresh_ago
from ventanilla.sla.sweep import sla_sweep
from ventanilla.testing.factories import png_upload
from ventanilla.tickets.models import Event, Message
from ventanilla.tickets.selectors import case_marks
from ventanilla.tickets.services import (
    ticket_add_note,
    ticket_add_participant,
    ticket_assign,
    ticket_link,
    ticket_merge,
    ticket_reply,
    ticket_reply_from_contact,
    ticket_split,
    ticket_transition,
    ticket_triage,
    ticket_update,
)
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def es(msgid):
    with translation.override("es"):
        return gettext(msgid)


@pytest.fixture(autouse=True)
def cached(settings):
    settings.VENTANILLA_FRAGMENT_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def console_timeline(client, ticket):
    response = client.get(reverse("console:case_detail", args=[ticket.number]))
    assert response.status_code == 200
    body = response.content.decode()
    start = body.index('<ol class="timeline"')
    return body[start : body.index("</ol>", start)]


def customer_timeline(client, ticket):
    response = client.get(reverse("portal:case_detail", kwargs={"number": ticket.number}))
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index('id="timeline"') : body.index('id="thread-end"')]


def timeless(html):
    """`html` without its relative times, which move on between two requests."""
    return re.sub(r'(<time datetime="[^"]+" title=")[^"]*(">)[^<]*(</time>)', r"\1\2\3", html)


def triaged(cast, make_ticket, **kwargs):
    ticket = make_ticket(**kwargs)
    ticket_triage(ticket=ticket, by=cast.supervisor, product=cast.products["erp"])
    ticket.refresh_from_db()
    return ticket


def test_every_change_shows_at_once_on_the_console(client, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    client.force_login(cast.agent_l1)
    first = console_timeline(client, ticket)
    assert timeless(console_timeline(client, ticket)) == timeless(first)  # from the cache

    ticket_reply(ticket=ticket, by=cast.customer, text="Sigue sin imprimir")
    assert "Sigue sin imprimir" in console_timeline(client, ticket)

    ticket_add_note(ticket=ticket, by=cast.agent_l2, text="Mirar el spooler")
    page = console_timeline(client, ticket)
    assert "Mirar el spooler" in page and es("Internal note") in page

    ticket_reply(ticket=ticket, by=cast.customer, text="Adjunto", attachments=[png_upload()])
    assert "captura.png" in console_timeline(client, ticket)

    ticket_transition(ticket=ticket, to_status=Status.PENDING, by=cast.agent_l1, note="pieza")
    assert "“pieza”" in console_timeline(client, ticket)

    ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l2)
    assert console_timeline(client, ticket).count(es("Assigned")) == 1

    ticket_update(ticket=ticket, by=cast.agent_l1, severity="A")
    assert es("Fields changed") in console_timeline(client, ticket)

    ticket_add_participant(ticket=ticket, by=cast.agent_l1, contact=cast.contacts["colleague"])
    assert cast.contacts["colleague"].email in console_timeline(client, ticket)

    contact = cast.contacts["customer"]
    ticket_reply_from_contact(ticket=ticket, contact=contact, text="Por correo: ya va")
    assert "Por correo: ya va" in console_timeline(client, ticket)

    breached = sla_sweep(now=timezone.now() + timedelta(days=400))
    assert breached["breaches"] >= 1
    assert es("SLA breached") in console_timeline(client, ticket)


def test_merge_split_and_link_show_on_both_cases(client, cast, make_ticket):
    target, source = triaged(cast, make_ticket), triaged(cast, make_ticket)
    ticket_reply(ticket=source, by=cast.customer, text="Mensaje del duplicado")
    client.force_login(cast.agent_l1)
    assert "Mensaje del duplicado" not in console_timeline(client, target)
    assert "Mensaje del duplicado" in console_timeline(client, source)
    ticket_merge(source=source, target=target, by=cast.agent_l1)
    assert "Mensaje del duplicado" in console_timeline(client, target)
    source.refresh_from_db()
    assert "Mensaje del duplicado" not in console_timeline(client, source)

    message = ticket_reply(ticket=target, by=cast.customer, text="Otro tema: la impresora")
    assert "Otro tema: la impresora" in console_timeline(client, target)
    new = ticket_split(message=message, by=cast.agent_l1, subject="Impresora")
    assert "Otro tema: la impresora" not in console_timeline(client, target)
    assert "Otro tema: la impresora" in console_timeline(client, new)

    other = triaged(cast, make_ticket)
    console_timeline(client, other)
    ticket_link(ticket=target, other=other, by=cast.agent_l1)
    assert target.number in console_timeline(client, other)


def test_customers_never_get_internal_notes_from_a_cache(client, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="Solo para el equipo")
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Respuesta pública")
    client.force_login(cast.agent_l1)
    assert "Solo para el equipo" in console_timeline(client, ticket)  # staff's cached copy
    client.force_login(cast.customer)
    page = customer_timeline(client, ticket)
    assert "Respuesta pública" in page and "Solo para el equipo" not in page
    client.force_login(cast.admin)  # the same case through the company's administrator
    assert timeless(customer_timeline(client, ticket)) == timeless(page)


def test_the_customer_timeline_follows_every_change(client, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    client.force_login(cast.customer)
    customer_timeline(client, ticket)
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="¿Qué versión tienes?")
    assert "¿Qué versión tienes?" in customer_timeline(client, ticket)
    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="nota interna")
    assert "nota interna" not in customer_timeline(client, ticket)
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Mira esto", attachments=[png_upload()])
    assert "captura.png" in customer_timeline(client, ticket)
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    page = customer_timeline(client, ticket)
    event = Event.objects.filter(ticket=ticket, kind=Event.Kind.STATUS).latest("id")
    assert f'id="e{event.pk}"' in page
    body = client.get(reverse("portal:case_detail", kwargs={"number": ticket.number}))
    last = Message.objects.filter(ticket=ticket, kind="public").latest("id").pk
    assert f"?m={last}&amp;e={event.pk}&amp;s=resolved" in body.content.decode()


def test_the_cache_key_has_the_language(client, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="nota")
    client.force_login(cast.agent_l1)
    assert es("Internal note") in console_timeline(client, ticket)
    cast.agent_l1.language = "en"
    cast.agent_l1.save(update_fields=["language"])
    client.force_login(cast.agent_l1)
    page = console_timeline(client, ticket)
    assert "Internal note" in page and es("Internal note") not in page


def test_marks_change_with_each_kind_of_write(cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    seen = {case_marks(ticket)}
    ticket_reply(ticket=ticket, by=cast.customer, text="a")
    seen.add(case_marks(ticket))
    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="b")
    seen.add(case_marks(ticket))
    ticket_transition(ticket=ticket, to_status=Status.PENDING, by=cast.agent_l1)
    seen.add(case_marks(ticket))
    assert len(seen) == 4
    marks = case_marks(ticket)
    assert marks.messages == 2 and marks.last_message_id == ticket.messages.latest("id").pk
    assert marks.last_public_message_id == ticket.messages.get(kind="public").pk


def test_relative_times_are_written_again_for_now():
    moment = timezone.now() - timedelta(minutes=5)
    with translation.override("es"):
        tag = Template("{% load ventanilla_ui %}{% ago when %}")
        fresh = tag.render(Context({"when": moment}))
        stale = fresh.replace(">hace 5 minutos<", ">hace 1 segundo<")
        assert stale != fresh
        assert refresh_ago(f"<p>{stale}</p>") == f"<p>{fresh}</p>"
