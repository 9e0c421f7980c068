import pytest
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.organizations.models import Contact
from ventanilla.testing.factories import png_upload
from ventanilla.tickets.access import (
    get_attachment_for_user_or_404,
    get_ticket_for_user_or_404,
    tickets_visible_to,
)
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.services import ticket_add_note, ticket_add_participant, ticket_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(cast, make_ticket):
    """One ticket per interesting place: who asked, and from which site."""
    sites = cast.sites
    return {
        "customer_zaragoza": make_ticket(),
        "colleague_zaragoza": make_ticket(role="colleague"),
        "regional_sevilla": make_ticket(role="regional", site=sites["sevilla"]),
        "admin_huesca": make_ticket(role="admin", site=sites["huesca"]),
        "outsider": make_ticket(role="outsider", product=None),
    }


def visible(user, tickets):
    ids = set(tickets_visible_to(user).values_list("pk", flat=True))
    return {name for name, ticket in tickets.items() if ticket.pk in ids}


def test_requester_sees_only_own_tickets(cast, tickets):
    assert visible(cast.customer, tickets) == {"customer_zaragoza"}


def test_requester_sees_tickets_where_they_are_participant(cast, tickets):
    ticket_add_participant(
        ticket=tickets["colleague_zaragoza"], by=cast.colleague, contact=cast.contacts["customer"]
    )
    assert visible(cast.customer, tickets) == {"customer_zaragoza", "colleague_zaragoza"}


def test_site_manager_sees_their_site(cast, tickets):
    assert visible(cast.site_manager, tickets) == {"customer_zaragoza", "colleague_zaragoza"}


def test_regional_manager_sees_their_region(cast, tickets):
    assert visible(cast.regional, tickets) == {"regional_sevilla"}


def test_organization_admin_sees_the_whole_organization(cast, tickets):
    assert visible(cast.admin, tickets) == set(tickets) - {"outsider"}


def test_outsider_sees_only_their_organization(cast, tickets):
    assert visible(cast.outsider, tickets) == {"outsider"}


def test_agents_and_supervisors_see_all_by_default(cast, tickets):
    for role in ("agent_l1", "agent_l2", "supervisor"):
        assert visible(cast.users[role], tickets) == set(tickets)


def test_team_scope_limits_agents_but_not_supervisors(cast, tickets, settings):
    settings.VENTANILLA_AGENT_SCOPE = "teams"
    Ticket.objects.filter(pk=tickets["customer_zaragoza"].pk).update(team=cast.teams["l1"])
    Ticket.objects.filter(pk=tickets["outsider"].pk).update(team=cast.teams["l2"])
    untriaged = set(tickets) - {"customer_zaragoza", "outsider"}
    assert visible(cast.agent_l1, tickets) == untriaged | {"customer_zaragoza"}
    assert visible(cast.agent_l2, tickets) == untriaged | {"outsider"}
    assert visible(cast.supervisor, tickets) == set(tickets)


def test_team_scope_keeps_cases_assigned_to_the_agent(cast, tickets, settings):
    settings.VENTANILLA_AGENT_SCOPE = "teams"
    Ticket.objects.filter(pk=tickets["outsider"].pk).update(
        team=cast.teams["l2"], assignee=cast.agent_l1
    )
    assert "outsider" in visible(cast.agent_l1, tickets)


def test_inactive_contacts_and_anonymous_see_nothing(cast, tickets):
    from django.contrib.auth.models import AnonymousUser

    Contact.objects.filter(pk=cast.contacts["customer"].pk).update(state=Contact.State.INACTIVE)
    cast.customer.refresh_from_db()
    assert visible(cast.customer, tickets) == set()
    assert visible(AnonymousUser(), tickets) == set()


def test_get_ticket_for_user_or_404_hides_foreign_tickets(cast, tickets):
    foreign = tickets["outsider"]
    with pytest.raises(Http404):
        get_ticket_for_user_or_404(cast.customer, foreign.number)
    assert get_ticket_for_user_or_404(cast.outsider, foreign.number) == foreign


def test_internal_note_attachments_are_hidden_from_customers(cast, tickets):
    ticket = tickets["customer_zaragoza"]
    note = ticket_add_note(ticket=ticket, by=cast.agent_l1, text="log", attachments=[png_upload()])
    attachment = note.attachments.get()
    assert get_attachment_for_user_or_404(cast.agent_l1, attachment.pk) == attachment
    with pytest.raises(Http404):
        get_attachment_for_user_or_404(cast.customer, attachment.pk)


def test_visibility_query_has_no_duplicates_with_many_participants(cast, tickets):
    ticket = tickets["customer_zaragoza"]
    for role in ("colleague", "site_manager", "admin"):
        ticket_add_participant(ticket=ticket, by=cast.customer, contact=cast.contacts[role])
    ids = list(tickets_visible_to(cast.admin).values_list("pk", flat=True))
    assert len(ids) == len(set(ids))


ROLE_CHOICES = st.sampled_from(["requester", "site_manager", "regional_manager", "org_admin"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    viewer_role=ROLE_CHOICES,
    viewer_site=st.sampled_from(["zaragoza", "huesca", "sevilla"]),
    layout=st.lists(
        st.tuples(
            st.sampled_from(["customer", "colleague", "outsider"]),
            st.sampled_from(["zaragoza", "huesca", "sevilla", None]),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    ),
)
def test_property_visibility_matches_the_written_rules(cast, viewer_role, viewer_site, layout):
    """Random tickets, sites and participants: the queryset equals a direct reading of the rules."""
    viewer = cast.contacts["site_manager"]
    site = cast.sites[viewer_site]
    Contact.objects.filter(pk=viewer.pk).update(role=viewer_role, site=site, region=site.region)
    viewer.refresh_from_db()
    Ticket.objects.all().delete()
    made = []
    for requester_role, site_name, cc_viewer in layout:
        requester = cast.contacts[requester_role]
        own_org = requester.organization_id == viewer.organization_id
        ticket = ticket_open(
            by=None,
            requester=requester,
            subject="x",
            description="y",
            site=cast.sites[site_name] if site_name and own_org else None,
        )
        if cc_viewer:
            ticket_add_participant(ticket=ticket, by=None, contact=viewer)
        made.append((ticket, cc_viewer))
    expected = {t.pk for t, cc in made if _rule(viewer, t, cc)}
    user = viewer.user
    user.refresh_from_db()
    assert set(tickets_visible_to(user).values_list("pk", flat=True)) == expected


def _rule(viewer, ticket, cc):
    if ticket.requester_id == viewer.pk or cc:
        return True
    if ticket.organization_id != viewer.organization_id:
        return False
    site = ticket.site
    return {
        "org_admin": True,
        "regional_manager": site is not None and site.region_id == viewer.region_id,
        "site_manager": site is not None and site.pk == viewer.site_id,
        "requester": False,
    }[viewer.role]


def test_thread_hides_internal_notes_from_customers(cast, tickets):
    from ventanilla.tickets.selectors import ticket_messages
    from ventanilla.tickets.services import ticket_reply

    ticket = tickets["customer_zaragoza"]
    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="Solo para el equipo")
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Hola Lucía")
    assert [m.body_text for m in ticket_messages(cast.customer, ticket)] == ["Hola Lucía"]
    assert len(ticket_messages(cast.agent_l1, ticket)) == 2
