"""Narrow reads for the two htmx polls (branch `floor`, issue 7 round 3).

An open case page polls every 12 s: the customer's page asks "anything new since message m,
status event e, status s?" (`portal:case_updates`), the console's page sends a presence heartbeat
(`console:case_presence`). Nearly every poll gets "nothing new". They used to load the whole case
with its seven joined relations and the timeline; here the case is looked up (through
`tickets.access`, the only door) with the few columns the answer shows, and whether anything is
new is two `EXISTS` in one prepared statement. When something is new, the customer's poll takes
the full path (case_detail + timeline), unchanged.
"""

from django.db import connection

from ventanilla.tickets.access import can_see_internal, get_ticket_for_user_or_404
from ventanilla.tickets.models import Event, Message, Ticket


def case_news(user, number, *, after_message=0, after_event=0):
    """The visible case `number` (404 otherwise) with only id, number and status loaded, and
    `has_new_messages` / `has_new_events`: whether the customer's timeline
    (`selectors.case_public_timeline`) would show a message after `after_message` or a status
    change after `after_event`. Two queries: the case through the door, then one prepared
    statement with the two `EXISTS` (no ORM compilation)."""
    ticket = get_ticket_for_user_or_404(
        user, number, queryset=Ticket.objects.only("id", "number", "status")
    )
    internal = can_see_internal(user)  # as selectors.ticket_messages
    sql = _NEWS_SQL[internal]
    with connection.cursor() as cursor:
        cursor.execute(sql, [ticket.pk, after_message, ticket.pk, after_event])
        ticket.has_new_messages, ticket.has_new_events = map(bool, cursor.fetchone())
    return ticket


class _NewsSql:
    """The statement of `case_news`, written once per process from the models' metadata."""

    def __getitem__(self, internal):
        found = self.__dict__.get(internal)
        if found is None:
            qn = connection.ops.quote_name
            message, event = Message._meta, Event._meta
            kind = "" if internal else f" AND {qn('kind')} = '{Message.Kind.PUBLIC.value}'"
            found = self.__dict__[internal] = (
                f"SELECT EXISTS(SELECT 1 FROM {qn(message.db_table)} WHERE "  # noqa: S608
                f"{qn('ticket_id')} = %s AND {qn('id')} > %s{kind}), "
                f"EXISTS(SELECT 1 FROM {qn(event.db_table)} WHERE {qn('ticket_id')} = %s "
                f"AND {qn('id')} > %s AND {qn('kind')} = '{Event.Kind.STATUS.value}')"
            )
        return found


_NEWS_SQL = _NewsSql()


def presence_case(user, number):
    """The visible case `number` (404 otherwise) with only what the presence heartbeat uses."""
    return get_ticket_for_user_or_404(user, number, queryset=Ticket.objects.only("id", "number"))


def presence_quiet(ticket, user, seen, *, seconds=45, now=None):
    """True when the console's heartbeat has nothing to show: no other agent on the case in the
    last `seconds` (`selectors.case_presence`) and no message after `seen` by someone else
    (`selectors.case_newer_public_messages(...).exclude(author=user)`). One prepared statement;
    when it says False the view runs those two selectors as before."""
    import datetime as _dt

    from django.utils import timezone

    from ventanilla.tickets.models import CasePresence

    since = (now or timezone.now()) - _dt.timedelta(seconds=seconds)
    sql = _QUIET_SQL.get("sql")
    if sql is None:
        qn = connection.ops.quote_name
        presence, message = CasePresence._meta.db_table, Message._meta.db_table
        sql = _QUIET_SQL["sql"] = (
            f"SELECT EXISTS(SELECT 1 FROM {qn(presence)} WHERE {qn('ticket_id')} = %s "  # noqa: S608
            f"AND {qn('seen_at')} >= %s AND NOT ({qn('user_id')} = %s)), "
            f"EXISTS(SELECT 1 FROM {qn(message)} WHERE {qn('ticket_id')} = %s AND {qn('id')} > %s "
            f"AND ({qn('author_id')} IS NULL OR {qn('author_id')} <> %s))"
        )
    params = [ticket.pk, connection.ops.adapt_datetimefield_value(since), user.pk]
    params += [ticket.pk, seen, user.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        others, newer = cursor.fetchone()
    return not (others or newer)


_QUIET_SQL = {}
