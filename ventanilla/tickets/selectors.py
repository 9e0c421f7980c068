"""Reads of tickets for lists and pages. Every query starts from tickets_visible_to."""

from django.db.models import Count, Q

from ventanilla.accounts.roles import contact_of
from ventanilla.tickets.access import (
    can_see_internal,
    get_ticket_for_user_or_404,
    tickets_visible_to,
)
from ventanilla.tickets.models import Event, Message, Participant, Ticket
from ventanilla.tickets.workflow import COMPLETED, OPEN, Status

LIST_RELATED = ("organization", "requester", "product", "assignee", "team", "site")


def ticket_list(user, *, statuses=None, assignee=None, limit=50):
    """The visible tickets for a list page: newest activity first, related rows joined."""
    queryset = tickets_visible_to(user).select_related(*LIST_RELATED)
    if statuses is not None:
        queryset = queryset.filter(status__in=statuses)
    if assignee is not None:
        queryset = queryset.filter(assignee=assignee)
    return queryset.order_by("-last_activity_at", "-id")[:limit]


def ticket_counts_by_status(user):
    rows = tickets_visible_to(user).order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def open_ticket_count_assigned_to(user):
    """How many open visible cases are assigned to `user` (the "My cases" counter)."""
    return tickets_visible_to(user).filter(status__in=OPEN, assignee=user).count()


def ticket_messages(user, ticket):
    """The thread of a ticket as `user` may read it (customers never see internal notes)."""
    messages = Message.objects.filter(ticket=ticket).select_related("author")
    if not can_see_internal(user):
        messages = messages.filter(kind=Message.Kind.PUBLIC)
    return messages.prefetch_related("attachments").order_by("created_at", "id")


# ---- cases (customer area: "Mis casos de soporte") ----

# Sidebar groups of the customer case list (seed 000): key -> statuses.
CASE_GROUPS = {
    "open": OPEN,
    "completed": COMPLETED,
    "to_rate": (Status.RESOLVED, Status.CLOSED),
    "rated": (Status.RESOLVED, Status.CLOSED),
}
CASE_ORDERS = {
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "activity": ("last_activity_at", "id"),
    "-activity": ("-last_activity_at", "-id"),
    "number": ("id",),  # numbers are given in id order; their text does not sort ("C/2026/9")
    "-number": ("-id",),
}


def case_scopes(contact):
    """The views of the case list a contact may switch between, narrowest first (seed 004).

    "mine" = cases they requested or are CC'd on; "local" = their site; "regional" = their region;
    "global" = the whole organization. Each is a narrowing of tickets_visible_to, never a widening.
    """
    Role = type(contact).Role
    scopes = ["mine"]
    if contact.role == Role.SITE_MANAGER:
        scopes.append("local")
    elif contact.role == Role.REGIONAL_MANAGER:
        scopes += ["local"] if contact.site_id else []
        scopes.append("regional")
    elif contact.role == Role.ORG_ADMIN:
        scopes += ["local"] if contact.site_id else []
        scopes += ["regional"] if contact.region_id else []
        scopes.append("global")
    return scopes


def _scope_q(contact, scope):
    if scope == "local":
        return Q(site_id=contact.site_id)
    if scope == "regional":
        return Q(site__region_id=contact.region_id)
    if scope == "global":
        return Q()
    participating = Participant.objects.filter(contact=contact).values("ticket_id")
    return Q(requester=contact) | Q(pk__in=participating)


def case_search(
    user,
    *,
    scope="mine",
    q="",
    product=None,
    severity="",
    site=None,
    requester=None,
):
    """Visible cases of the customer list, filtered (but not by status group: see case_filter)."""
    contact = contact_of(user)
    queryset = tickets_visible_to(user)
    if contact is None:
        return queryset.none()
    if scope not in case_scopes(contact):
        scope = "mine"
    queryset = queryset.filter(_scope_q(contact, scope))
    if q := (q or "").strip():
        queryset = queryset.filter(
            Q(number__iexact=q) | Q(subject__icontains=q) | Q(description__icontains=q)
        )
    if product is not None:
        queryset = queryset.filter(product=product)
    if severity:
        queryset = queryset.filter(severity=severity)
    if site is not None:
        queryset = queryset.filter(site=site)
    if requester is not None:
        queryset = queryset.filter(requester=requester)
    return queryset


def case_filter_group(queryset, group="", status=""):
    """Narrow to one sidebar entry: a status, or a group (open, completed, to_rate, rated)."""
    if status:
        return queryset.filter(status=status)
    if group in CASE_GROUPS:
        queryset = queryset.filter(status__in=CASE_GROUPS[group])
    if group == "to_rate":
        queryset = queryset.filter(rating__isnull=True)
    elif group == "rated":
        queryset = queryset.filter(rating__isnull=False)
    return queryset


def case_group_counts(queryset):
    """Counts for every sidebar entry of the case list, in ONE grouped query."""
    rateable = Q(status__in=CASE_GROUPS["to_rate"])
    aggregates = {status.value: Count("id", filter=Q(status=status)) for status in Status}
    aggregates["all"] = Count("id")
    aggregates["to_rate"] = Count("id", filter=rateable & Q(rating__isnull=True))
    aggregates["rated"] = Count("id", filter=rateable & Q(rating__isnull=False))
    counts = queryset.order_by().aggregate(**aggregates)
    counts["open"] = sum(counts[s.value] for s in OPEN)
    counts["completed"] = sum(counts[s.value] for s in COMPLETED)
    return counts


def case_page_rows(queryset, order="-activity"):
    """The case list rows, with what the table shows joined in."""
    fields = CASE_ORDERS.get(order, CASE_ORDERS["-activity"])
    related = ("product", "assignee", "requester", "site")
    return queryset.select_related(*related).order_by(*fields)


def case_sites_and_requesters(user, contact, scope):
    """Choices for the managers' site and requester filters, limited to the chosen scope."""
    from ventanilla.organizations.models import Contact, Site

    sites = Site.objects.filter(organization_id=contact.organization_id)
    people = Contact.objects.filter(organization_id=contact.organization_id)
    if scope == "local":
        sites = sites.filter(pk=contact.site_id)
        people = people.filter(site_id=contact.site_id)
    elif scope == "regional":
        sites = sites.filter(region_id=contact.region_id)
        people = people.filter(site__region_id=contact.region_id)
    return sites.order_by("name"), people.order_by("name")


def case_detail(user, number):
    """One visible case for its page, related rows joined (404 when not visible)."""
    queryset = Ticket.objects.select_related(
        "product", "product_version", "request_type", "requester", "assignee", "site", "rating"
    )
    return get_ticket_for_user_or_404(user, number, queryset=queryset)


def case_opening_attachments(ticket):
    """Files sent with the case itself (not with a message)."""
    return list(ticket.attachments.filter(message__isnull=True).order_by("created_at", "id"))


def case_timeline(user, ticket, *, after_message=0, after_event=0):
    """What a customer reads on the case page: public messages and status changes, in order.

    Returns (items, last_message_id, last_event_id); each item is ("message", Message) or
    ("status", Event). Internal notes and their files never appear for customers.
    """
    messages = list(
        ticket_messages(user, ticket).filter(pk__gt=after_message).select_related("author_contact")
    )
    events = list(
        Event.objects.filter(ticket=ticket, kind=Event.Kind.STATUS, pk__gt=after_event)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    items = [(m.created_at, 0, m.pk, "message", m) for m in messages]
    items += [(e.created_at, 1, e.pk, "status", e) for e in events]
    items.sort(key=lambda row: row[:3])
    last_message = max([after_message, *(m.pk for m in messages)])
    last_event = max([after_event, *(e.pk for e in events)])
    return [(kind, obj) for *_, kind, obj in items], last_message, last_event


def case_requester_choices(contact):
    """Whom a contact may open a case for: None (only themselves) or a queryset of contacts.

    Managers choose among the active contacts whose cases they will see afterwards.
    """
    from ventanilla.organizations.models import Contact

    Role = Contact.Role
    people = Contact.objects.filter(
        organization_id=contact.organization_id, state=Contact.State.ACTIVE
    )
    if contact.role == Role.REGIONAL_MANAGER:
        people = people.filter(Q(site__region_id=contact.region_id) | Q(pk=contact.pk))
    elif contact.role == Role.SITE_MANAGER:
        people = people.filter(Q(site_id=contact.site_id) | Q(pk=contact.pk))
    elif contact.role != Role.ORG_ADMIN:
        return None
    return people.order_by("name")
