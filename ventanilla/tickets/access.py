"""One place decides which tickets a user may see (ARCHITECTURE rule 2).

Every view, API, search, download and notification looks tickets up through `tickets_visible_to`
or `get_ticket_for_user_or_404`.
"""

from django.conf import settings
from django.db.models import Q
from django.http import Http404

from ventanilla.accounts.roles import agent_of, contact_of, is_supervisor
from ventanilla.organizations.models import Contact
from ventanilla.tickets.models import Participant, Ticket
from ventanilla.tickets.workflow import Actor


def actor_kind(user):
    """The workflow actor a user acts as (None for the system)."""
    if user is None:
        return Actor.SYSTEM
    if is_supervisor(user):
        return Actor.SUPERVISOR
    if agent_of(user) is not None:
        return Actor.AGENT
    return Actor.CUSTOMER


def customer_scope(contact):
    """Q over tickets that a customer contact may see, by portal role (seed 001, 002, 004)."""
    participating = Participant.objects.filter(contact=contact).values("ticket_id")
    own = Q(requester=contact) | Q(pk__in=participating)
    org = Q(organization_id=contact.organization_id)
    match contact.role:
        case Contact.Role.ORG_ADMIN:
            return own | org
        case Contact.Role.REGIONAL_MANAGER:
            return own | (org & Q(site__region_id=contact.region_id))
        case Contact.Role.SITE_MANAGER:
            return own | (org & Q(site_id=contact.site_id))
    return own


def agent_scope(agent):
    if agent.is_supervisor or settings.VENTANILLA_AGENT_SCOPE != "teams":
        return Q()
    teams = agent.teams.values("pk")
    return Q(team__in=teams) | Q(team__isnull=True) | Q(assignee_id=agent.user_id)


def visibility_q(user):
    """The condition on tickets that `user` may see: a Q (empty Q: every ticket), or None when
    they may see none (anonymous and unknown users). The one rule behind `tickets_visible_to`."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Q()
    if (agent := agent_of(user)) is not None:
        return agent_scope(agent)
    if (contact := contact_of(user)) is not None:
        return customer_scope(contact)
    return None


def tickets_visible_to(user):
    """The tickets `user` may see, as a queryset (empty for anonymous and unknown users)."""
    base = Ticket.objects.all()
    condition = visibility_q(user)
    if condition is None:
        return base.none()
    return base.filter(condition) if condition else base


def can_see_ticket(user, ticket):
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


# What a case page shows of a case's neighbours (console head and side panel): the door can load
# them with the case (`details=True`).
DETAIL_RELATED = (
    "organization",
    "site__region",
    "requester__user",
    "product",
    "product_version",
    "request_type",
    "team",
    "assignee",
)


def get_ticket_for_user_or_404(user, number=None, *, pk=None, queryset=None, details=False):
    """The case `number` (or `pk`) if `user` may see it, else 404. `details`: with the
    DETAIL_RELATED rows loaded (for a number: one prepared statement when the user sees every
    case, round 4; else the ORM's `select_related`)."""
    condition = visibility_q(user)
    if condition is None:
        raise Http404("No such case")
    if details and not condition and number is not None and queryset is None:
        ticket = _case_with_details(number)
        if ticket is None:
            raise Http404("No such case")
        return ticket
    # reads (issue 7): the visibility conditions are filtered into the caller's query, not
    # `pk IN (every visible id)` (SQLite walked it id by id: 200 ms at 100k cases); round 3: with
    # `filter()` rather than `queryset & tickets_visible_to(user)` (combining two querysets cost
    # ≈ 1 ms), and nothing at all for those who see every ticket.
    visible = Ticket.objects.all() if queryset is None else queryset
    if details:
        visible = visible.select_related(*DETAIL_RELATED)
    lookup = {"pk": pk} if pk is not None else {"number": number}
    if condition:
        visible = visible.filter(condition)
    try:
        return visible.get(**lookup)
    except Ticket.DoesNotExist:
        raise Http404("No such case") from None


_DETAILS = {}  # database alias -> (PreparedJoin, [(relation path, parent path, field)])


def _case_with_details(number):
    """Ticket `number` with its DETAIL_RELATED rows on its relation caches, as
    `select_related(*DETAIL_RELATED)` leaves them, from one statement written once per process
    (core/prepared.py: the ORM compiled the eight joins on every page view, ≈ 1 ms). None when
    there is no such case."""
    from django.db import connections, router

    from ventanilla.core.prepared import PreparedJoin

    using = router.db_for_read(Ticket)
    prepared = _DETAILS.get(using)
    if prepared is None:
        qn = connections[using].ops.quote_name
        parts, relations, aliases = [("", Ticket, "t0", None)], [], {"": "t0"}
        for path in DETAIL_RELATED:
            model, parent = Ticket, ""
            for name in path.split("__"):
                field = model._meta.get_field(name)
                key = f"{parent}__{name}" if parent else name
                if key not in aliases:
                    alias = aliases[key] = f"t{len(aliases)}"
                    target = f"{alias}.{qn(field.target_field.column)}"
                    condition = f"{target} = {aliases[parent]}.{qn(field.column)}"
                    parts.append((key, field.related_model, alias, condition))
                    relations.append((key, parent, field))
                model, parent = field.related_model, key
        prepared = _DETAILS[using] = (PreparedJoin(using, parts, "number"), relations)
    statement, relations = prepared
    found = statement.load(number)
    if found is None:
        return None
    for key, parent, field in relations:
        if found[parent] is not None:
            field.set_cached_value(found[parent], found[key])
    return found[""]


def can_see_internal(user):
    """Internal notes and their attachments are for staff only."""
    return actor_kind(user) in (Actor.AGENT, Actor.SUPERVISOR)


def get_attachment_for_user_or_404(user, pk):
    """An attachment of a visible ticket; internal notes' files only for staff."""
    from ventanilla.tickets.models import Attachment, Message

    attachments = Attachment.objects.select_related("message").filter(
        ticket__in=tickets_visible_to(user).values("pk")
    )
    if not can_see_internal(user):
        attachments = attachments.exclude(message__kind=Message.Kind.INTERNAL)
    try:
        return attachments.get(pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("No such attachment") from None
