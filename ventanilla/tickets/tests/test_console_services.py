"""Console services (issue 4): triage, escalation, info requests, resolve, merge, link, split,
bulk, presence and phone intake. Each asserts state, events and the customer's email."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ventanilla.mail.models import OutboundEmail
from ventanilla.organizations.models import Contact
from ventanilla.staff.models import RoutingRule, Team, Tier
from ventanilla.testing.factories import png_upload
from ventanilla.tickets.models import Channel, Event, Message, Participant, TicketLink
from ventanilla.tickets.selectors import case_presence
from ventanilla.tickets.services import (
    presence_touch,
    team_suggest,
    ticket_add_note,
    ticket_add_participant,
    ticket_assign,
    ticket_bulk_apply,
    ticket_escalate,
    ticket_link,
    ticket_merge,
    ticket_open_by_phone,
    ticket_remove_participant,
    ticket_reply,
    ticket_request_info,
    ticket_resolve,
    ticket_split,
    ticket_transition,
    ticket_triage,
    ticket_update,
)
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def triage(cast, ticket, **kwargs):
    kwargs.setdefault("product", cast.products["erp"])
    kwargs.setdefault("priority", "high")
    return ticket_triage(ticket=ticket, by=cast.agent_l1, **kwargs)


def test_team_is_suggested_by_the_most_specific_rule(cast):
    erp = cast.products["erp"]
    version = erp.versions.get()
    special = Team.objects.create(name="ERP 8.2", tier=Tier.L1)
    assert team_suggest(product=erp, tier=1) == cast.teams["l1"]  # team of the product
    RoutingRule.objects.create(product=erp, version=version, tier=1, team=special)
    assert team_suggest(product=erp, version=version, tier=1) == special
    assert team_suggest(product=erp, version=None, tier=1) == cast.teams["l1"]
    assert team_suggest(product=None, tier=1) is None


def test_triage_classifies_routes_and_starts_work(cast, make_ticket):
    ticket = make_ticket(product=None)
    OutboundEmail.objects.all().delete()
    triage(cast, ticket, severity="A", request_type=cast.request_type)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert (ticket.team, ticket.tier, ticket.priority) == (cast.teams["l1"], 1, "high")
    assert ticket.severity == "A" and ticket.request_type == cast.request_type
    event = ticket.events.get(kind=Event.Kind.TRIAGED)
    assert event.after["priority"] == "high" and event.before["priority"] == "medium"
    assert OutboundEmail.objects.filter(template="ticket_status", to=["lucia@talleresebro.test"])


def test_triage_to_pending_still_tells_the_customer(cast, make_ticket):
    ticket = make_ticket()
    OutboundEmail.objects.all().delete()
    triage(cast, ticket, next_status=Status.PENDING)
    assert ticket.status == Status.PENDING
    assert OutboundEmail.objects.filter(template="ticket_status").count() == 1


def test_scheduling_needs_a_planned_date(cast, make_ticket):
    ticket = make_ticket()
    with pytest.raises(ValidationError) as error:
        triage(cast, ticket, next_status=Status.SCHEDULED)
    assert "planned_at" in error.value.message_dict
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_FOR_SUPPORT and ticket.team is None
    planned = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    triage(cast, ticket, next_status=Status.SCHEDULED, planned_at=planned)
    assert ticket.status == Status.SCHEDULED and ticket.planned_at == planned


def test_triage_refuses_a_version_of_another_product_and_already_triaged_cases(cast, make_ticket):
    ticket = make_ticket()
    version = cast.products["erp"].versions.get()
    with pytest.raises(ValidationError):
        triage(cast, ticket, product=cast.products["net"], version=version)
    triage(cast, ticket)
    with pytest.raises(ValidationError):
        triage(cast, ticket)


def test_customers_cannot_triage(cast, make_ticket):
    ticket = make_ticket()
    with pytest.raises(PermissionDenied):
        ticket_triage(ticket=ticket, by=cast.customer, product=cast.products["erp"])


def test_escalate_moves_to_the_next_tier_team_with_a_reason(cast, make_ticket):
    ticket = make_ticket(product=cast.products["net"])
    triage(cast, ticket, product=cast.products["net"])
    ticket_assign(ticket=ticket, by=cast.agent_l1, assignee=cast.agent_l1)
    with pytest.raises(ValidationError):
        ticket_escalate(ticket=ticket, by=cast.agent_l1, reason="  ")
    ticket_escalate(ticket=ticket, by=cast.agent_l1, reason="Necesita acceso al cortafuegos")
    ticket.refresh_from_db()
    assert (ticket.team, ticket.tier, ticket.status) == (cast.teams["l2"], 2, Status.ESCALATED)
    assert ticket.assignee is None
    event = ticket.events.get(kind=Event.Kind.ESCALATED)
    assert event.note == "Necesita acceso al cortafuegos"
    assert event.before["tier"] == 1 and event.after["tier"] == 2


def test_escalate_without_a_team_at_the_next_tier_says_so(cast, make_ticket):
    ticket = make_ticket()
    triage(cast, ticket)
    ticket_update(ticket=ticket, by=cast.supervisor, team=cast.teams["l2"], tier=2)
    with pytest.raises(ValidationError):
        ticket_escalate(ticket=ticket, by=cast.supervisor, reason="L3")
    assert ticket.events.filter(kind=Event.Kind.ESCALATED).count() == 0


def test_escalated_case_leaves_the_l1_agents_sight_when_scoped_by_team(cast, make_ticket, settings):
    settings.VENTANILLA_AGENT_SCOPE = "teams"
    ticket = make_ticket(product=cast.products["net"])
    triage(cast, ticket, product=cast.products["net"])
    ticket_escalate(ticket=ticket, by=cast.agent_l1, reason="L2")
    with pytest.raises(PermissionDenied):
        ticket_add_note(ticket=ticket, by=cast.agent_l1, text="hola")
    ticket_add_note(ticket=ticket, by=cast.agent_l2, text="mío")


def test_request_info_asks_publicly_and_waits_on_the_customer(cast, make_ticket):
    ticket = make_ticket()
    triage(cast, ticket)
    OutboundEmail.objects.all().delete()
    message = ticket_request_info(ticket=ticket, by=cast.agent_l1, question="¿Qué versión usa?")
    ticket.refresh_from_db()
    assert message.is_public and ticket.status == Status.WAITING_ON_CUSTOMER
    templates = set(OutboundEmail.objects.values_list("template", flat=True))
    assert templates == {"ticket_reply", "ticket_status"}
    ticket_reply(ticket=ticket, by=cast.customer, text="La 8.2")
    assert ticket.status == Status.IN_PROGRESS


def test_resolve_needs_a_resolution_note_the_customer_reads(cast, make_ticket):
    ticket = make_ticket()
    triage(cast, ticket)
    with pytest.raises(ValidationError):
        ticket_resolve(ticket=ticket, by=cast.agent_l1, resolution="")
    ticket_resolve(ticket=ticket, by=cast.agent_l1, resolution="Reinstalado el módulo.")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolved_at is not None
    assert ticket.messages.last().body_text == "Reinstalado el módulo."
    assert ticket.events.filter(kind=Event.Kind.STATUS).last().note == "Reinstalado el módulo."


def test_merge_moves_messages_and_people_and_cancels_the_duplicate(cast, make_ticket):
    target = make_ticket(subject="Error 500 en facturas")
    source = make_ticket(role="colleague", subject="Facturas no abre")
    ticket_reply(ticket=source, by=cast.colleague, text="Sigue igual", attachments=[png_upload()])
    ticket_add_participant(ticket=source, by=cast.agent_l1, contact=cast.contacts["admin"])
    OutboundEmail.objects.all().delete()
    ticket_merge(source=source, target=target, by=cast.agent_l1)
    source.refresh_from_db()
    assert source.status == Status.CANCELLED
    assert target.messages.filter(body_text="Sigue igual").exists()
    assert target.attachments.count() == 1
    people = set(Participant.objects.filter(ticket=target).values_list("contact__email", flat=True))
    assert people == {"marcos@talleresebro.test", "pilar@talleresebro.test"}
    pointer = source.messages.get()
    assert target.number in pointer.body_text and pointer.is_public
    assert TicketLink.objects.get(source=source).target == target
    assert OutboundEmail.objects.filter(template="ticket_reply", to=["marcos@talleresebro.test"])
    assert source.events.filter(kind=Event.Kind.MERGED).count() == 1
    assert target.events.filter(kind=Event.Kind.MERGED).count() == 1
    with pytest.raises(ValidationError):
        ticket_merge(source=source, target=target, by=cast.agent_l1)


def test_merge_into_itself_or_by_a_customer_is_refused(cast, make_ticket):
    ticket, other = make_ticket(), make_ticket()
    with pytest.raises(ValidationError):
        ticket_merge(source=ticket, target=ticket, by=cast.agent_l1)
    with pytest.raises(PermissionDenied):
        ticket_merge(source=ticket, target=other, by=cast.customer)


def test_link_is_recorded_once_on_both_cases(cast, make_ticket):
    one, two = make_ticket(), make_ticket()
    assert ticket_link(ticket=one, other=two, by=cast.agent_l1) is not None
    assert ticket_link(ticket=two, other=one, by=cast.agent_l1) is None
    assert TicketLink.objects.count() == 1
    assert one.events.filter(kind=Event.Kind.LINKED).count() == 1
    assert two.events.filter(kind=Event.Kind.LINKED).count() == 1


def test_split_makes_a_new_case_from_a_message(cast, make_ticket):
    ticket = make_ticket()
    message = ticket_reply(
        ticket=ticket, by=cast.customer, text="Otra cosa: la impresora", attachments=[png_upload()]
    )
    new = ticket_split(message=message, by=cast.agent_l1, subject="Impresora no imprime")
    assert new.pk != ticket.pk and new.requester == cast.contacts["customer"]
    assert new.description == "Otra cosa: la impresora"
    assert Message.objects.get(pk=message.pk).ticket == new
    assert new.attachments.count() == 1 and ticket.attachments.count() == 0
    assert TicketLink.objects.get(source=new, kind=TicketLink.Kind.SPLIT).target == ticket
    with pytest.raises(ValidationError):
        ticket_split(message=message, by=cast.agent_l1, subject="")


def test_remove_participant_writes_an_event(cast, make_ticket):
    ticket = make_ticket()
    ticket_add_participant(ticket=ticket, by=cast.agent_l1, contact=cast.contacts["colleague"])
    assert ticket_remove_participant(
        ticket=ticket, by=cast.agent_l1, contact=cast.contacts["colleague"]
    )
    assert not ticket.participants.exists()
    assert ticket.events.filter(kind=Event.Kind.PARTICIPANT_REMOVED).count() == 1


def test_update_writes_one_event_with_only_what_changed(cast, make_ticket):
    ticket = make_ticket()
    ticket_update(ticket=ticket, by=cast.agent_l1, priority="low", severity="C")
    event = ticket.events.get(kind=Event.Kind.CHANGED)
    assert event.before == {"priority": "medium"} and event.after == {"priority": "low"}
    ticket_update(ticket=ticket, by=cast.agent_l1, priority="low")
    assert ticket.events.filter(kind=Event.Kind.CHANGED).count() == 1


def test_bulk_writes_one_event_per_case_and_reports_problems(cast, make_ticket):
    tickets = [make_ticket() for _ in range(3)]
    done, problems = ticket_bulk_apply(
        tickets=tickets, by=cast.agent_l1, action="assign", value=cast.agent_l2
    )
    assert len(done) == 3 and problems == {}
    assert Event.objects.filter(kind=Event.Kind.ASSIGNED).count() == 3
    ticket_transition(ticket=tickets[0], to_status=Status.CANCELLED, by=cast.agent_l1)
    done, problems = ticket_bulk_apply(
        tickets=tickets, by=cast.agent_l1, action="status", value=Status.IN_PROGRESS
    )
    assert len(done) == 2 and list(problems) == [tickets[0].number]
    done, _problems = ticket_bulk_apply(
        tickets=tickets[1:], by=cast.agent_l1, action="priority", value="high"
    )
    assert Event.objects.filter(kind=Event.Kind.CHANGED).count() == 2


def test_presence_shows_other_agents_recently_on_the_case(cast, make_ticket):
    ticket = make_ticket()
    now = datetime.now(UTC)
    presence_touch(ticket=ticket, by=cast.agent_l2, now=now - timedelta(seconds=10))
    presence_touch(ticket=ticket, by=cast.supervisor, now=now - timedelta(minutes=5))
    presence_touch(ticket=ticket, by=cast.agent_l1, now=now)
    others = [p.user for p in case_presence(ticket, cast.agent_l1, now=now)]
    assert others == [cast.agent_l2]
    with pytest.raises(PermissionDenied):
        presence_touch(ticket=ticket, by=cast.customer)


def test_phone_case_for_an_unknown_caller_creates_a_pending_contact(cast):
    ticket = ticket_open_by_phone(
        by=cast.agent_l1,
        organization=cast.orgs["a"],
        caller_name="Rafael Soler",
        caller_email="rafael@talleresebro.test",
        caller_phone="976 000 111",
        subject="No imprime albaranes",
        description="Llama desde el almacén.",
    )
    contact = ticket.requester
    assert contact.state == Contact.State.PENDING and contact.phone == "976 000 111"
    assert ticket.channel == Channel.PHONE and ticket.status == Status.WAITING_FOR_SUPPORT
    assert ticket.organization == cast.orgs["a"]
    again = ticket_open_by_phone(
        by=cast.agent_l1,
        organization=cast.orgs["a"],
        caller_email="RAFAEL@talleresebro.test",
        subject="Otra",
        description="Otra llamada",
    )
    assert again.requester == contact  # no duplicate contact


def test_phone_case_for_a_known_caller_and_only_by_staff(cast):
    ticket = ticket_open_by_phone(
        by=cast.agent_l1,
        organization=cast.orgs["a"],
        contact=cast.contacts["customer"],
        subject="Duda",
        description="Por teléfono",
    )
    assert ticket.requester == cast.contacts["customer"] and ticket.channel == Channel.PHONE
    with pytest.raises(ValidationError):
        ticket_open_by_phone(
            by=cast.agent_l1,
            organization=cast.orgs["b"],
            contact=cast.contacts["customer"],
            subject="x",
            description="y",
        )
    with pytest.raises(PermissionDenied):
        ticket_open_by_phone(
            by=cast.customer,
            organization=cast.orgs["a"],
            caller_email="x@talleresebro.test",
            subject="x",
            description="y",
        )


def test_triage_to_a_graver_severity_recomputes_the_sla_from_the_original_start(cast, make_ticket):
    from ventanilla.sla.models import SlaClock

    ticket = make_ticket(severity="C")
    first = SlaClock.objects.get(ticket=ticket, kind="contractual", target="first_response")
    assert first.due_at - ticket.created_at > timedelta(hours=4)  # C: 3 business days
    triage(cast, ticket, severity="A")
    first.refresh_from_db()
    assert first.started_at == ticket.created_at
    assert first.due_at - ticket.created_at <= timedelta(hours=1)  # A: under 1 hour, 24x7
    assert Event.objects.filter(ticket=ticket, kind=Event.Kind.SLA_DEADLINE).exists()
