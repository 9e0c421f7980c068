"""Reads of tickets for lists and pages. Every query starts from tickets_visible_to."""

import datetime as _dt

from django.db.models import Count, Q
from django.utils import timezone

from ventanilla.accounts.roles import agent_of
from ventanilla.tickets.access import can_see_internal, tickets_visible_to
from ventanilla.tickets.models import Message
from ventanilla.tickets.workflow import OPEN, Status

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


def tickets_unrated(user, *, limit=5):
    """Resolved or closed visible cases nobody has rated yet, newest first (the rating reminder)."""
    from ventanilla.tickets.workflow import Status

    return (
        tickets_visible_to(user)
        .filter(status__in=(Status.RESOLVED, Status.CLOSED), rating__isnull=True)
        .select_related("product")
        .order_by("-last_activity_at", "-id")[:limit]
    )


# ---- console: queues, case page, presence, customer 360 (issue 4) ----

QUEUE_NAMES = ("untriaged", "mine", "team", "waiting", "scheduled", "escalated", "all")
QUEUE_FILTERS = (
    "organization",
    "site",
    "region",
    "product",
    "version",
    "severity",
    "priority",
    "status",
    "assignee",
    "channel",
    "team",
)
_FILTER_LOOKUPS = {
    "organization": "organization_id",
    "site": "site_id",
    "region": "site__region_id",
    "product": "product_id",
    "version": "product_version_id",
    "severity": "severity",
    "priority": "priority",
    "status": "status",
    "channel": "channel",
    "team": "team_id",
}


def _queue_q(user, name):
    if name == "untriaged":
        return Q(status=Status.WAITING_FOR_SUPPORT)
    if name == "mine":
        return Q(status__in=OPEN, assignee=user)
    if name == "team":
        agent = agent_of(user)
        teams = agent.teams.values("pk") if agent is not None else []
        return Q(status__in=OPEN, team__in=teams)
    if name == "waiting":
        return Q(status=Status.WAITING_ON_CUSTOMER)
    if name == "scheduled":
        return Q(status=Status.SCHEDULED)
    if name == "escalated":
        return Q(status=Status.ESCALATED)
    if name == "all":
        return Q()
    raise ValueError(name)


def _filters_q(filters):
    q = Q()
    for key, lookup in _FILTER_LOOKUPS.items():
        if value := filters.get(key):
            q &= Q(**{lookup: value})
    assignee = filters.get("assignee")
    if assignee == "none":
        q &= Q(assignee__isnull=True)
    elif assignee:
        q &= Q(assignee_id=assignee)
    if text := (filters.get("q") or "").strip():
        q &= Q(number__iexact=text) | Q(subject__icontains=text)
    return q


def queue_tickets(user, name, filters=None):
    """The visible tickets of one console queue, filtered (unsorted, unsliced)."""
    return tickets_visible_to(user).filter(_queue_q(user, name), _filters_q(filters or {}))


def encode_cursor(ticket):
    return f"{ticket.last_activity_at.isoformat()}_{ticket.pk}"


def _decode_cursor(cursor):
    try:
        stamp, pk = cursor.rsplit("_", 1)
        return _dt.datetime.fromisoformat(stamp), int(pk)
    except (ValueError, AttributeError):
        return None


def queue_page(user, name, filters=None, *, cursor=None, limit=50):
    """One page of a queue, newest activity first, by keyset (no OFFSET): returns (tickets,
    next_cursor). The "breaching soon" order belongs to the SLA issue (not built here)."""
    queryset = queue_tickets(user, name, filters).select_related(*LIST_RELATED)
    if cursor and (decoded := _decode_cursor(cursor)):
        stamp, pk = decoded
        queryset = queryset.filter(
            Q(last_activity_at__lt=stamp) | Q(last_activity_at=stamp, pk__lt=pk)
        )
    rows = list(queryset.order_by("-last_activity_at", "-id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def queue_count(user, name, filters=None, *, cap=1000):
    """How many tickets the filtered queue holds, counted up to `cap` (bounded cost)."""
    ids = queue_tickets(user, name, filters).order_by().values("pk")[: cap + 1]
    return len(ids)


def queue_filter_choices():
    """Option lists for the queue filter bar (small catalogue tables)."""
    from ventanilla.accounts.models import User
    from ventanilla.catalog.models import Product, ProductVersion
    from ventanilla.organizations.models import Organization, Region, Site
    from ventanilla.staff.models import Team

    cap = 500  # bounded option lists; beyond that, search by number/subject or open the customer
    return {
        "organizations": Organization.objects.order_by("name").only("pk", "name")[:cap],
        "sites": Site.objects.select_related("organization").order_by("name")[:cap],
        "regions": Region.objects.select_related("organization").order_by("name")[:cap],
        "products": Product.objects.filter(is_active=True).order_by("name"),
        "versions": ProductVersion.objects.select_related("product"),
        "teams": Team.objects.order_by("tier", "name"),
        "agents": User.objects.filter(agent__is_active=True).order_by("full_name"),
    }


def case_timeline(user, ticket):
    """Messages (with their files) and events of a case, merged in time order, for staff."""
    from ventanilla.tickets.models import Event

    messages = list(ticket_messages(user, ticket))
    events = list(
        Event.objects.filter(ticket=ticket)
        .exclude(kind__in=[Event.Kind.REPLY, Event.Kind.NOTE])
        .select_related("actor")
        .order_by("created_at", "id")
    )
    items = [("message", m.created_at, m) for m in messages]
    items += [("event", e.created_at, e) for e in events]
    items.sort(key=lambda item: (item[1], item[0] == "message"))
    return items


def case_links(ticket):
    from ventanilla.tickets.models import TicketLink

    return TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).select_related(
        "source", "target"
    )


def case_presence(ticket, user, *, seconds=45, now=None):
    """Other agents who had this case open in the last `seconds` (collision warning)."""
    from ventanilla.tickets.models import CasePresence

    since = (now or timezone.now()) - _dt.timedelta(seconds=seconds)
    return (
        CasePresence.objects.filter(ticket=ticket, seen_at__gte=since)
        .exclude(user=user)
        .select_related("user")
    )


def case_newer_public_messages(ticket, since_id):
    """Messages written on the case after message id `since_id` (reply collision check)."""
    return Message.objects.filter(ticket=ticket, pk__gt=since_id).select_related("author")


def callers_search(user, text, *, limit=20):
    """Phone intake (seed 004): contacts by name, email, phone, or the client code / CIF of their
    organization. Staff only."""
    from ventanilla.organizations.models import Contact

    text = (text or "").strip()
    if agent_of(user) is None and not getattr(user, "is_superuser", False):
        return Contact.objects.none()
    if len(text) < 2:
        return Contact.objects.none()
    q = Q(name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
    q |= Q(organization__code__iexact=text) | Q(organization__tax_id__iexact=text)
    return (
        Contact.objects.filter(q)
        .select_related("organization", "site")
        .order_by("organization__name", "name")[:limit]
    )


def organizations_search(text, *, limit=20):
    from ventanilla.organizations.models import Organization

    text = (text or "").strip()
    if len(text) < 2:
        return Organization.objects.none()
    q = Q(name__icontains=text) | Q(code__iexact=text) | Q(tax_id__iexact=text)
    return Organization.objects.filter(q).order_by("name")[:limit]


def canned_replies_for(language=None):
    from ventanilla.staff.models import CannedReply

    replies = CannedReply.objects.filter(is_active=True)
    return replies.filter(language=language) if language else replies


class _Placeholders(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def canned_reply_text(canned, ticket, by):
    """The body of a canned reply with {nombre}, {caso}, {asunto}, {agente} (or {name}, {case},
    {subject}, {agent}) filled in for this case; unknown placeholders are left as they are."""
    values = {
        "nombre": ticket.requester.name,
        "caso": ticket.number,
        "asunto": ticket.subject,
        "agente": getattr(by, "full_name", "") or str(by),
    }
    english = dict(zip(("name", "case", "subject", "agent"), values.values(), strict=True))
    try:
        return canned.body.format_map(_Placeholders(values | english))
    except (ValueError, IndexError):  # stray braces: give the text back untouched
        return canned.body
