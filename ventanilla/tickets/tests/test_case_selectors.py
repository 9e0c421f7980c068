"""Selectors and services behind the customer case pages: scopes per role, groups, reopening."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ventanilla.tickets.models import Event, Rating
from ventanilla.tickets.selectors import (
    case_filter_group,
    case_public_timeline,
    case_requester_choices,
    case_scopes,
    case_search,
)
from ventanilla.tickets.services import (
    ticket_add_note,
    ticket_reopen,
    ticket_reopen_deadline,
    ticket_reply,
    ticket_transition,
)
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db

PEOPLE = ("customer", "colleague", "admin", "site_manager", "regional")


@pytest.fixture
def cases(make_ticket):
    return {role: make_ticket(role=role) for role in (*PEOPLE, "outsider")}


@pytest.mark.parametrize(
    ("role", "scope", "sees"),
    [
        ("customer", "mine", {"customer"}),
        ("customer", "global", {"customer"}),  # an unknown scope falls back to "mine"
        ("site_manager", "local", {"customer", "colleague", "site_manager"}),
        ("site_manager", "regional", {"site_manager"}),
        ("regional", "regional", {"regional"}),
        ("regional", "local", {"regional"}),
        ("admin", "global", set(PEOPLE)),
        ("admin", "mine", {"admin"}),
        ("outsider", "mine", {"outsider"}),
    ],
)
def test_scopes_narrow_what_each_role_may_see(cast, cases, role, scope, sees):
    found = case_search(cast.users[role], scope=scope)
    assert set(found.values_list("number", flat=True)) == {cases[r].number for r in sees}


def test_scopes_offered_per_role(cast):
    assert case_scopes(cast.contacts["customer"]) == ["mine"]
    assert case_scopes(cast.contacts["site_manager"]) == ["mine", "local"]
    assert case_scopes(cast.contacts["regional"]) == ["mine", "local", "regional"]
    assert case_scopes(cast.contacts["admin"]) == ["mine", "global"]


def test_staff_and_strangers_get_nothing_from_case_search(cast, cases):
    assert not case_search(cast.agent_l1, scope="global").exists()


def test_requester_choices_follow_what_the_manager_will_see(cast):
    assert case_requester_choices(cast.contacts["customer"]) is None

    def names(role):
        return set(case_requester_choices(cast.contacts[role]).values_list("name", flat=True))

    assert names("site_manager") == {"Lucía Gimeno", "Marcos Lafuente", "Jorge Aznar"}
    assert names("regional") == {"Rocío Navas"}
    assert "Íñigo Sáenz" not in names("admin") and len(names("admin")) == 5


def test_rating_groups(cast, cases):
    resolved = cases["customer"]
    ticket_transition(ticket=resolved, to_status=Status.RESOLVED, by=cast.agent_l1)
    base = case_search(cast.customer)
    assert list(case_filter_group(base, "to_rate")) == [resolved]
    Rating.objects.create(ticket=resolved, score=3)
    assert not case_filter_group(base, "to_rate").exists()
    assert list(case_filter_group(base, "rated")) == [resolved]
    assert list(case_filter_group(base, "", "resolved")) == [resolved]


def test_timeline_has_public_messages_and_status_changes_only(cast, cases):
    ticket = cases["customer"]
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="hola")
    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="secreto")
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    items, last_message, last_event = case_public_timeline(cast.customer, ticket)
    assert [kind for kind, _ in items] == ["message", "status"]
    assert items[0][1].body_text == "hola"
    assert last_event == Event.objects.filter(kind="status").latest("id").pk
    again, *_ = case_public_timeline(
        cast.customer, ticket, after_message=last_message, after_event=last_event
    )
    assert again == []


def test_reopen_within_the_window_only(cast, cases, settings):
    ticket = cases["customer"]
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    assert ticket_reopen_deadline(ticket) == ticket.resolved_at + timedelta(days=7)
    with pytest.raises(PermissionDenied):
        ticket_reopen(ticket=ticket, by=cast.outsider)
    ticket_reopen(ticket=ticket, by=cast.customer)
    assert ticket.status == Status.IN_PROGRESS
    assert ticket_reopen_deadline(ticket) is None

    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    ticket.resolved_at = timezone.now() - timedelta(days=settings.VENTANILLA_REOPEN_DAYS, hours=1)
    ticket.save(update_fields=["resolved_at"])
    with pytest.raises(ValidationError):
        ticket_reopen(ticket=ticket, by=cast.customer)


def test_a_case_waiting_for_support_cannot_be_reopened(cast, cases):
    with pytest.raises(ValidationError):
        ticket_reopen(ticket=cases["customer"], by=cast.customer)
