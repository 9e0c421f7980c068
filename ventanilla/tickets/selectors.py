"""Reads of tickets for lists and pages. Every query starts from tickets_visible_to."""

from django.db.models import Count

from ventanilla.tickets.access import can_see_internal, tickets_visible_to
from ventanilla.tickets.models import Message
from ventanilla.tickets.workflow import OPEN

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
