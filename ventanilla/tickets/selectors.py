"""Reads of tickets for lists and pages. Every query starts from tickets_visible_to."""

import datetime as _dt
from typing import NamedTuple

from django.db.models import BooleanField, Count, Expression, F, Q, Subquery
from django.utils import timezone

from ventanilla.accounts.roles import agent_of, contact_of
from ventanilla.tickets.access import (
    can_see_internal,
    get_ticket_for_user_or_404,
    tickets_visible_to,
)
from ventanilla.tickets.models import Event, Message, Participant, Ticket
from ventanilla.tickets.search import search_q, search_tickets
from ventanilla.tickets.workflow import COMPLETED, OPEN, Status

LIST_RELATED = ("organization", "requester", "product", "assignee", "team", "site")


def ticket_list(user, *, statuses=None, assignee=None, limit=50):
    """The visible tickets for a list page: newest activity first, related rows joined."""
    queryset = tickets_visible_to(user)
    if statuses is not None:
        queryset = queryset.filter(status__in=statuses)
    if assignee is not None:
        queryset = queryset.filter(assignee=assignee)
    order = ("-last_activity_at", "-id")
    ids = queryset.order_by(*order).values("pk")[:limit]
    return in_order(Ticket.objects.select_related(*LIST_RELATED), ids, order)


def in_order(queryset, ids, order):
    """reads (issue 7): the rows of `queryset` whose pk is in the sliced `ids` queryset, sorted
    by `order`, in one query (`pk IN (SELECT id … ORDER BY … LIMIT n)`).

    List pages find their page of ids in a subquery without joins, which the (status, last
    activity) style indexes answer with a LIMIT, then join the related rows of those few. With
    the joins in the same query, SQLite's planner started from a joined table and sorted
    thousands of cases (20 ms at 100k cases for a 10-row list; 40 ms for a customer's 2,000)."""
    return list(queryset.filter(pk__in=ids).order_by(*order))


def ticket_counts_by_status(user, statuses=None):
    """{status: count} of the visible tickets; `statuses` limits the count to those (reads:
    the home pages show open statuses only, and counting every closed case scanned them all)."""
    queryset = tickets_visible_to(user)
    if statuses is not None:
        queryset = queryset.filter(status__in=statuses)
    rows = queryset.order_by().values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# ---- reads ---- (issue 7) the console sidebar's counters, on every console page
NAV_STATUSES = (
    Status.WAITING_FOR_SUPPORT,
    Status.WAITING_ON_CUSTOMER,
    Status.SCHEDULED,
    Status.ESCALATED,
)


def console_nav_counts(user):
    """The sidebar pills of the console: cases per status of the queues that show one, open
    cases assigned to `user` ("mine") and `breaching_count` ("breaching"): two queries, the
    statuses and "mine" in one grouped pass over the open cases (status index).

    Cached per user for settings.VENTANILLA_NAV_COUNTS_SECONDS (0 = not cached, as in tests):
    the pills may lag that long; the queue pages themselves always count live."""
    from django.conf import settings
    from django.core.cache import cache

    seconds = getattr(settings, "VENTANILLA_NAV_COUNTS_SECONDS", 0)
    key = f"ventanilla:nav-counts:{user.pk}"
    if seconds and (counts := cache.get(key)) is not None:
        return counts
    aggregates = {status.value: Count("id", filter=Q(status=status)) for status in NAV_STATUSES}
    aggregates["mine"] = Count("id", filter=Q(assignee_id=user.pk))
    counts = tickets_visible_to(user).filter(status__in=OPEN).order_by().aggregate(**aggregates)
    counts["breaching"] = breaching_count(user)
    if seconds:
        cache.set(key, counts, seconds)
    return counts


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

QUEUE_NAMES = (
    "untriaged",
    "mine",
    "team",
    "waiting",
    "scheduled",
    "escalated",
    "all",
    "breaching",  # slaui: open cases with a running contractual SLA clock, soonest deadline first
)
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
    if name == "breaching":  # slaui
        return _breaching_q()
    raise ValueError(name)


class QueueFilters(dict):
    """lists: queue filters whose Q is built once per request (the page and its count both
    filter; the keyword search's Q costs a query to choose its plan)."""

    _q = None


def _filters_q(filters):
    if isinstance(filters, QueueFilters):
        if filters._q is None:
            filters._q = _build_filters_q(filters)
        return filters._q
    return _build_filters_q(filters)


def _build_filters_q(filters):
    q = Q()
    for key, lookup in _FILTER_LOOKUPS.items():
        if value := filters.get(key):
            q &= Q(**{lookup: value})
    assignee = filters.get("assignee")
    if assignee == "none":
        q &= Q(assignee__isnull=True)
    elif assignee:
        q &= Q(assignee_id=assignee)
    if (found := search_q(filters.get("q"), internal=True)) is not None:  # staff: notes too
        q &= found
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


# reads: the columns of a queue row (console/rows.py); a field read outside this list costs a
# query per row, which the query-count tests of the queues would catch.
QUEUE_RELATED = ("organization", "requester", "product", "assignee", "team")
QUEUE_ROW_COLUMNS = (
    "pk",
    "number",
    "subject",
    "status",
    "severity",
    "priority",
    "channel",
    "planned_at",
    "last_activity_at",
    "organization_id",
    "organization__name",
    "requester__name",
    "product_id",
    "product__name",
    "team_id",
    "team__name",
    "assignee_id",
    "assignee__full_name",
    "assignee__email",
)
# The model-based path (queue_page) loads the same columns with .only(): the shown fields
QUEUE_ROW_FIELDS = tuple(c for c in QUEUE_ROW_COLUMNS if c != "pk" and not c.endswith("_id"))


def queue_page(user, name, filters=None, *, cursor=None, limit=50):
    """One page of a queue, newest activity first, by keyset (no OFFSET): returns (tickets,
    next_cursor). Every row comes with its live SLA clocks (one more query, for the badges); the
    "breaching" queue is sorted by the next deadline instead (`_breaching_page`)."""
    from ventanilla.sla.selectors import with_sla_clocks

    queryset = with_sla_clocks(
        queue_tickets(user, name, filters)
        .select_related(*QUEUE_RELATED)
        .only(*QUEUE_ROW_FIELDS)  # reads: what a queue row shows (console/rows.py), no more
    )
    if name == "breaching":
        # the walk's candidates come from running clocks already: it checks the rest only
        rest = tickets_visible_to(user).filter(_breaching_status_q(), _filters_q(filters or {}))
        return _breaching_page(queryset, cursor=cursor, limit=limit, candidates=rest)
    if cursor and (decoded := _decode_cursor(cursor)):
        stamp, pk = decoded
        queryset = queryset.filter(
            Q(last_activity_at__lt=stamp) | Q(last_activity_at=stamp, pk__lt=pk)
        )
    order = ("-last_activity_at", "-id")
    ids = queryset.order_by(*order).values("pk")[: limit + 1]
    rows = in_order(queryset, ids, order)  # reads: a page of ids, then its rows
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


# ---- slaui: the "breaching soon" queue (deadline order, keyset on (next deadline, id)) ----


def _breaching_status_q():
    return Q(status__in=OPEN) & ~Q(status=Status.WAITING_ON_CUSTOMER)


def _breaching_q():
    from ventanilla.sla.models import ClockState, SlaClock

    # reads: `pk IN (running clocks)`, not a correlated EXISTS: SQLite answered the EXISTS through
    # the (state, warn_at) index, scanning every running clock for every open case.
    running = SlaClock.objects.filter(state=ClockState.RUNNING, kind="contractual")
    return (
        Q(status__in=OPEN)
        & ~Q(status=Status.WAITING_ON_CUSTOMER)
        & Q(pk__in=running.values("ticket_id"))
    )


def encode_deadline_cursor(ticket):
    return f"{ticket.sla_next_due.isoformat()}_{ticket.pk}"


def _breaching_page(queryset, *, cursor=None, limit=50, candidates=None):
    """Soonest (or already passed) contractual deadline first; ties by id. Every row of this
    queue has a running clock, so `sla_next_due` is never null and the keyset is exact.

    reads: the page is found by walking the running clocks in deadline order (the (state,
    due_at) index) and keeping the first `limit + 1` visible cases, instead of computing and
    sorting the next deadline of every open case; `_breaching_sorted` is the plain query, used
    when the walk does not fill the page quickly (narrow filters or scopes)."""
    decoded = _decode_cursor(cursor) if cursor else None
    # `candidates`: `queryset` without its "has a running clock" condition, which SQLite would
    # otherwise evaluate first (thousands of clocks) instead of looking up the walk's few ids
    checked = candidates if candidates is not None else queryset
    found = _breaching_walk(checked, decoded, limit + 1)
    if found is None:
        return _breaching_sorted(queryset, decoded, limit)
    rows = queryset.model.objects.filter(pk__in=[pk for pk, _ in found])
    rows = rows.select_related(*QUEUE_RELATED).only(*QUEUE_ROW_FIELDS)
    by_pk = {ticket.pk: ticket for ticket in with_sla_clocks_(rows)}
    rows = []
    for pk, due in found:
        if (ticket := by_pk.get(pk)) is not None:
            ticket.sla_next_due = due
            rows.append(ticket)
    next_cursor = encode_deadline_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def with_sla_clocks_(queryset):
    from ventanilla.sla.selectors import with_sla_clocks

    return with_sla_clocks(queryset)


BREACHING_WALK_BATCH = 200
BREACHING_WALK_ROUNDS = 5


def _breaching_walk(queryset, after, wanted):
    """[(ticket pk, next deadline)] of the first `wanted` cases of `queryset` in (next deadline,
    pk) order after the key `after`, or None when that takes more than a few batches."""
    from ventanilla.sla.models import ClockState, SlaClock

    clocks = SlaClock.objects.filter(state=ClockState.RUNNING, kind="contractual").order_by(
        "due_at", "ticket_id"
    )
    if after is not None:
        due, pk = after
        clocks = clocks.filter(Q(due_at__gt=due) | Q(due_at=due, ticket_id__gt=pk))
    found, seen, position = [], set(), None
    for _round in range(BREACHING_WALK_ROUNDS):
        window = clocks
        if position is not None:
            at, tid = position
            window = window.filter(Q(due_at__gt=at) | Q(due_at=at, ticket_id__gt=tid))
        # lists: the first window about twice the page (a case may have two running clocks),
        # the next ones full batches
        size = min(BREACHING_WALK_BATCH, 2 * wanted + 8) if not _round else BREACHING_WALK_BATCH
        batch = list(window.values_list("ticket_id", "due_at")[:size])
        fresh = []
        for pk, due_at in batch:  # the first clock of a case in this order is its next deadline
            if pk not in seen:
                seen.add(pk)
                fresh.append((pk, due_at))
        if fresh:
            ids = [pk for pk, _ in fresh]
            keep = set(queryset.filter(pk__in=ids).values_list("pk", flat=True))
            if after is not None:  # cases whose next deadline came before `after`: shown already
                due, pk = after
                keep -= set(
                    SlaClock.objects.filter(
                        state=ClockState.RUNNING, kind="contractual", ticket_id__in=keep
                    )
                    .filter(Q(due_at__lt=due) | Q(due_at=due, ticket_id__lte=pk))
                    .values_list("ticket_id", flat=True)
                )
            found += [(pk, due_at) for pk, due_at in fresh if pk in keep]
            if len(found) >= wanted:
                return found[:wanted]
        if len(batch) < size:
            return found  # every running clock was read
        last_pk, last_due = batch[-1]
        position = last_due, last_pk
    return None


def _breaching_sorted(queryset, decoded, limit):
    from ventanilla.sla.selectors import tickets_by_next_deadline

    queryset = tickets_by_next_deadline(queryset).order_by("sla_next_due", "id")
    if decoded:
        due, pk = decoded
        queryset = queryset.filter(Q(sla_next_due__gt=due) | Q(sla_next_due=due, pk__gt=pk))
    rows = list(queryset[: limit + 1])
    next_cursor = encode_deadline_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


class _PkAmong(Expression):
    """`pk IN (subquery)`, written on PostgreSQL as `pk = ANY(ARRAY(subquery))`: an initplan, so
    the subquery (the selective side, e.g. the warned clocks) runs once and the cases are fetched
    by primary key. Left to choose, PostgreSQL merge-joined both sides in primary key order and
    walked a million cases to find the open ones (0.6 s warm, 2-3 s cold at 1M)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, queryset, pk=None):
        super().__init__()
        self.pk, self.subquery = pk or F("pk"), Subquery(queryset)

    def get_source_expressions(self):
        return [self.pk, self.subquery]

    def set_source_expressions(self, exprs):
        self.pk, self.subquery = exprs

    def as_sql(self, compiler, connection):
        pk_sql, pk_params = compiler.compile(self.pk)
        sub_sql, sub_params = compiler.compile(self.subquery)
        if connection.vendor == "postgresql":
            return f"{pk_sql} = ANY(ARRAY{sub_sql})", [*pk_params, *sub_params]
        return f"{pk_sql} IN {sub_sql}", [*pk_params, *sub_params]


def breaching_count(user, *, cap=99):
    """How many open visible cases have a contractual deadline already warned or passed (the
    sidebar pill of "A punto de incumplir"), counted up to `cap`: one query."""
    from django.utils import timezone as tz

    from ventanilla.sla.models import ClockState, SlaClock

    urgent = SlaClock.objects.filter(state=ClockState.RUNNING, kind="contractual").filter(
        Q(warn_at__lte=tz.now()) | Q(warned_at__isnull=False)
    )
    ids = (
        tickets_visible_to(user)
        .filter(status__in=OPEN)
        .exclude(status=Status.WAITING_ON_CUSTOMER)
        .filter(_PkAmong(urgent.values("ticket_id")))
        .order_by()
        .values("pk")[: cap + 1]
    )
    return len(ids)


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


# ---- lists ---- (issue 7, round 3) queue pages as narrow rows: tuples, no model instances
# The columns a queue row shows (console/rows.py); `QueueRow` adds the breaching sort key and the
# next contractual clock. Building ~400 model instances (tickets, their related rows, clocks,
# policies, calendars) and compiling select_related/prefetch queries was half of a queue's CPU.
# (QUEUE_ROW_COLUMNS is defined with QUEUE_ROW_FIELDS, near queue_page.)


class Person(NamedTuple):
    """What a row shows of a user: avatar initials, short name, full name (as User does)."""

    full_name: str
    email: str

    def __str__(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class QueueRow(NamedTuple):
    pk: int
    number: str
    subject: str
    status: str
    severity: str
    priority: str
    channel: str
    planned_at: _dt.datetime | None
    last_activity_at: _dt.datetime
    organization_id: int
    organization_name: str
    requester_name: str
    product_id: int | None
    product_name: str | None
    team_id: int | None
    team_name: str | None
    assignee_id: int | None
    assignee_full_name: str | None
    assignee_email: str | None
    sla_next_due: _dt.datetime | None  # the breaching queue's sort key
    clock: object  # the next contractual clock (ClockRow or an SlaClock), or None

    @property
    def assignee(self):
        if self.assignee_id is None:
            return None
        return Person(self.assignee_full_name or "", self.assignee_email or "")

    @classmethod
    def from_ticket(cls, ticket, clock=None):
        """The row of a Ticket loaded with QUEUE_RELATED and its live clocks (`queue_page`)."""
        assignee = ticket.assignee if ticket.assignee_id else None
        return cls(
            ticket.pk,
            ticket.number,
            ticket.subject,
            ticket.status,
            ticket.severity,
            ticket.priority,
            ticket.channel,
            ticket.planned_at,
            ticket.last_activity_at,
            ticket.organization_id,
            ticket.organization.name,
            ticket.requester.name,
            ticket.product_id,
            ticket.product.name if ticket.product_id else None,
            ticket.team_id,
            ticket.team.name if ticket.team_id else None,
            ticket.assignee_id,
            assignee.full_name if assignee else None,
            assignee.email if assignee else None,
            getattr(ticket, "sla_next_due", None),
            clock,
        )


class _BuiltCalendar:
    """What `sla.services.calendar_of` reads of a clock's policy, with the calendar built once
    per page (the rows carry no policy instance)."""

    __slots__ = ("built_calendar",)

    def __init__(self, calendar):
        self.built_calendar = calendar


class ClockRow(NamedTuple):
    """The fields of a live contractual SlaClock that its badge reads (sla.display)."""

    kind: str
    target: str
    unit: str
    state: str
    due_at: _dt.datetime
    warn_at: _dt.datetime
    warned_at: _dt.datetime | None
    breached_at: _dt.datetime | None
    paused_since: _dt.datetime | None
    policy: _BuiltCalendar

    @property
    def is_live(self):
        from ventanilla.sla.models import ClockState

        return self.state in (ClockState.RUNNING, ClockState.PAUSED)


def next_clocks(ticket_ids):
    """{ticket id: ClockRow} of the clock `{% sla_next_badge %}` shows for each case: its most
    urgent running contractual clock, else its most urgent paused one. One query (plus one per
    distinct stored calendar on the page, to read the configuration stamp)."""
    from ventanilla.sla.businesstime import default_calendar
    from ventanilla.sla.models import ClockState, SlaClock
    from ventanilla.sla.selectors import LIVE
    from ventanilla.sla.services import stored_calendar

    if not ticket_ids:
        return {}
    clocks = list(
        SlaClock.objects.filter(ticket_id__in=ticket_ids, state__in=LIVE, kind="contractual")
        .order_by("started_at", "id")  # the prefetch's order (SlaClock.Meta): same tie-breaks
        .values_list(
            "ticket_id",
            "target",
            "unit",
            "state",
            "due_at",
            "warn_at",
            "warned_at",
            "breached_at",
            "paused_since",
            "policy__calendar_id",
        )
    )
    calendar_ids = {row[9] for row in clocks if row[9] is not None}
    calendars = {None: _BuiltCalendar(default_calendar())}
    for calendar_id in calendar_ids:
        calendars[calendar_id] = _BuiltCalendar(stored_calendar(calendar_id))
    best = {}  # ticket id -> (running?, due, row)
    for row in clocks:
        running = row[3] == ClockState.RUNNING
        held = best.get(row[0])
        if held is None or (running, -row[4].timestamp()) > (held[0], -held[1].timestamp()):
            best[row[0]] = (running, row[4], row)
    return {
        ticket_id: ClockRow("contractual", *row[1:9], calendars[row[9]])
        for ticket_id, (_running, _due, row) in best.items()
    }


def _rows_for(ids, order=None, *, due=None):
    """QueueRows of `ids` (a sliced pk queryset, or a list with `due` {pk: next deadline}), in
    `order` (or the list's order): one query for the rows, one for their clocks."""
    columns = Ticket.objects.filter(pk__in=ids).values_list(*QUEUE_ROW_COLUMNS)
    values = list(columns.order_by(*order)) if order else list(columns)
    if due is not None:
        position = {pk: index for index, pk in enumerate(due)}
        values = sorted((v for v in values if v[0] in position), key=lambda v: position[v[0]])
    clocks = next_clocks([v[0] for v in values])
    due = due or {}
    return [QueueRow(*v, due.get(v[0]), clocks.get(v[0])) for v in values]


def queue_page_rows(user, name, filters=None, *, cursor=None, limit=50):
    """`queue_page` as narrow rows (`QueueRow`): the same cases in the same order, the same
    keyset cursors, for the console's queue view. Returns (rows, next_cursor)."""
    filters = filters or {}
    queryset = queue_tickets(user, name, filters)
    if name == "breaching":
        decoded = _decode_cursor(cursor) if cursor else None
        rest = tickets_visible_to(user).filter(_breaching_status_q(), _filters_q(filters))
        found = _breaching_walk(rest, decoded, limit + 1)
        if found is None:  # narrow filters: the sorted query (as _breaching_page does)
            return _breaching_sorted_rows(queryset, decoded, limit)
        rows = _rows_for([pk for pk, _ in found], due=dict(found))
        next_cursor = _deadline_cursor(rows[limit - 1]) if len(rows) > limit else None
        return rows[:limit], next_cursor
    if cursor and (decoded := _decode_cursor(cursor)):
        stamp, pk = decoded
        queryset = queryset.filter(
            Q(last_activity_at__lt=stamp) | Q(last_activity_at=stamp, pk__lt=pk)
        )
    order = ("-last_activity_at", "-id")
    rows = _rows_for(queryset.order_by(*order).values("pk")[: limit + 1], order)
    next_cursor = encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def _deadline_cursor(row):
    return f"{row.sla_next_due.isoformat()}_{row.pk}"


def _breaching_sorted_rows(queryset, decoded, limit):
    from ventanilla.sla.selectors import tickets_by_next_deadline

    queryset = tickets_by_next_deadline(queryset).order_by("sla_next_due", "id")
    if decoded:
        due, pk = decoded
        queryset = queryset.filter(Q(sla_next_due__gt=due) | Q(sla_next_due=due, pk__gt=pk))
    found = list(queryset.values_list("pk", "sla_next_due")[: limit + 1])
    rows = _rows_for([pk for pk, _ in found], due=dict(found))
    next_cursor = _deadline_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor


def queue_count_rows(user, name, filters=None, *, cap=1000):
    """`queue_count` counted by the database (`COUNT(*)` over the capped subquery) instead of
    fetching up to `cap + 1` ids into Python."""
    if name == "breaching":
        queryset = _breaching_counted(user, filters or {})
    else:
        queryset = queue_tickets(user, name, filters)
    return queryset.order_by().values("pk")[: cap + 1].count()


def _breaching_counted(user, filters):
    """The breaching queue's cases for counting: a correlated EXISTS on the (ticket, state)
    index of clocks. Without ORDER BY SQLite walks the open cases and probes each one's clocks
    (0.5 ms at 100k for 1,000 of them), where `pk IN (running clocks)` read every running
    clock first (7 ms)."""
    from django.db.models import Exists, OuterRef

    from ventanilla.sla.models import ClockState, SlaClock

    running = SlaClock.objects.filter(
        ticket=OuterRef("pk"), state=ClockState.RUNNING, kind="contractual"
    )
    return tickets_visible_to(user).filter(
        _breaching_status_q(), _filters_q(filters), Exists(running)
    )


def case_links(ticket):
    from ventanilla.tickets.models import TicketLink

    return TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket)).select_related(
        "source", "target"
    )


def case_presence(ticket, user, *, seconds=45, now=None, include_user=False):
    """Other agents who had this case open in the last `seconds` (collision warning);
    `include_user`: `user`'s own row too (the case page splits it off, `console.case_views`)."""
    from ventanilla.tickets.models import CasePresence

    since = (now or timezone.now()) - _dt.timedelta(seconds=seconds)
    present = CasePresence.objects.filter(ticket=ticket, seen_at__gte=since)
    if not include_user:
        present = present.exclude(user=user)
    return present.select_related("user")


def case_newer_public_messages(ticket, since_id):
    """Messages written on the case after message id `since_id` (reply collision check)."""
    return Message.objects.filter(ticket=ticket, pk__gt=since_id).select_related(
        "author", "author_contact"
    )


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
    queryset = search_tickets(queryset, q, internal=can_see_internal(user))
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


def case_page_ids(queryset, order="-activity"):
    """reads (issue 7): the ids of the case list in page order, for `case_rows_for`. Sorting ids
    only lets SQLite answer from the (requester, status, last activity) index: sorting whole
    rows with their joins read every case of the scope (40 ms for 2,000 cases)."""
    fields = CASE_ORDERS.get(order, CASE_ORDERS["-activity"])
    return queryset.order_by(*fields).values("pk")


def case_rows_for(ids, order="-activity"):
    """The case list rows for `ids` (one page of `case_page_ids`), with what the table shows."""
    related = ("product", "assignee", "requester", "site")
    fields = CASE_ORDERS.get(order, CASE_ORDERS["-activity"])
    return in_order(Ticket.objects.select_related(*related), ids, fields)


# ---- lists ---- (issue 7, round 3) the customer case list as narrow rows
CASE_ROW_COLUMNS = (
    "pk",
    "number",
    "subject",
    "status",
    "severity",
    "product_id",
    "product__name",
    "requester__name",
    "site_id",
    "site__name",
    "assignee_id",
    "assignee__full_name",
    "assignee__email",
    "last_activity_at",
    "created_at",
)


class CaseRow(NamedTuple):
    """What a row of "Mis casos de soporte" shows (portal/rows.py)."""

    pk: int
    number: str
    subject: str
    status: str
    severity: str
    product_id: int | None
    product_name: str | None
    requester_name: str
    site_id: int | None
    site_name: str | None
    assignee_id: int | None
    assignee_full_name: str | None
    assignee_email: str | None
    last_activity_at: _dt.datetime
    created_at: _dt.datetime

    @classmethod
    def from_ticket(cls, ticket):
        """The row of a Ticket loaded with its product, requester, site and assignee."""
        assignee = ticket.assignee if ticket.assignee_id else None
        return cls(
            ticket.pk,
            ticket.number,
            ticket.subject,
            ticket.status,
            ticket.severity,
            ticket.product_id,
            ticket.product.name if ticket.product_id else None,
            ticket.requester.name,
            ticket.site_id,
            ticket.site.name if ticket.site_id else None,
            ticket.assignee_id,
            assignee.full_name if assignee else None,
            assignee.email if assignee else None,
            ticket.last_activity_at,
            ticket.created_at,
        )


def case_rows_values(ids, order="-activity"):
    """`case_rows_for` as narrow rows (`CaseRow`): the same cases in the same order, one query,
    no model instances."""
    fields = CASE_ORDERS.get(order, CASE_ORDERS["-activity"])
    values = Ticket.objects.filter(pk__in=ids).order_by(*fields).values_list(*CASE_ROW_COLUMNS)
    return [CaseRow(*row) for row in values]


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


def case_public_timeline(user, ticket, *, after_message=0, after_event=0):
    """What a customer reads on the case page: public messages and status changes, in order.

    Returns (items, last_message_id, last_event_id); each item is ("message", Message) or
    ("status", Event). Internal notes and their files never appear for customers.
    """
    from django.db.models import Prefetch

    from ventanilla.tickets.models import Attachment

    # round 3: the files with only what the page shows of them
    files = Attachment.objects.only(
        "pk", "message_id", "filename", "content_type", "size"
    ).order_by("created_at", "id")
    messages = list(
        ticket_messages(user, ticket)
        .filter(pk__gt=after_message)
        .select_related("author_contact")
        .prefetch_related(None)
        .prefetch_related(Prefetch("attachments", queryset=files))
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


# ---- casepage (issue 7, round 3): narrow reads of the case pages ----


class CaseMarks(NamedTuple):
    """What changes whenever the timeline of a case changes: rows of its messages, events and
    files counted, and their newest ids. A message, note, event or file added, moved to another
    case (merge, split) or deleted changes a count or an id; messages and events are never edited
    after their transaction (events are append-only). `last_public_message_id` and
    `last_status_event_id` are what the customer page's live poll starts from."""

    messages: int
    last_message_id: int
    last_public_message_id: int
    events: int
    last_event_id: int
    last_status_event_id: int
    attachments: int
    last_attachment_id: int
    opening_attachments: int
    participants: int  # not shown in the timeline: lets the page skip empty lists' queries
    links: int


def case_marks(ticket):
    """The case's `CaseMarks` in one query through the raw cursor (no ORM compilation: this runs
    on every view of a case page, ≈ 0.1 ms)."""
    from django.db import connection

    from ventanilla.tickets.models import Attachment, TicketLink

    messages, events = Message._meta.db_table, Event._meta.db_table
    files, people = Attachment._meta.db_table, Participant._meta.db_table
    links = TicketLink._meta.db_table
    public, status = Message.Kind.PUBLIC.value, Event.Kind.STATUS.value
    # table names from the models; every value is a parameter
    sql = (
        f"SELECT (SELECT COUNT(*) FROM {messages} WHERE ticket_id = %s),"  # noqa: S608
        f" (SELECT MAX(id) FROM {messages} WHERE ticket_id = %s),"
        f" (SELECT MAX(id) FROM {messages} WHERE ticket_id = %s AND kind = %s),"
        f" (SELECT COUNT(*) FROM {events} WHERE ticket_id = %s),"
        f" (SELECT MAX(id) FROM {events} WHERE ticket_id = %s),"
        f" (SELECT MAX(id) FROM {events} WHERE ticket_id = %s AND kind = %s),"
        f" (SELECT COUNT(*) FROM {files} WHERE ticket_id = %s),"
        f" (SELECT MAX(id) FROM {files} WHERE ticket_id = %s),"
        f" (SELECT COUNT(*) FROM {files} WHERE ticket_id = %s AND message_id IS NULL),"
        f" (SELECT COUNT(*) FROM {people} WHERE ticket_id = %s),"
        f" (SELECT COUNT(*) FROM {links} WHERE source_id = %s)"
        f" + (SELECT COUNT(*) FROM {links} WHERE target_id = %s)"
    )
    pk = ticket.pk
    params = [pk, pk, pk, public, pk, pk, pk, status, pk, pk, pk, pk, pk, pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return CaseMarks(*(value or 0 for value in row))


TIMELINE_HIDDEN_EVENTS = (Event.Kind.REPLY, Event.Kind.NOTE, Event.Kind.SLA_DEADLINE)


def case_staff_timeline(user, ticket):
    """The staff timeline (messages and events in time order) with only what the console
    shows: messages with their authors (user or contact) and files (name and size), events with
    their actor. Three queries."""
    from django.db.models import Prefetch

    from ventanilla.tickets.models import Attachment

    files = Attachment.objects.only("pk", "message_id", "filename", "size").order_by(
        "created_at", "id"
    )
    messages = Message.objects.filter(ticket=ticket)
    if not can_see_internal(user):
        messages = messages.filter(kind=Message.Kind.PUBLIC)
    messages = list(
        messages.select_related("author", "author_contact")
        .prefetch_related(Prefetch("attachments", queryset=files))
        .order_by("created_at", "id")
    )
    events = list(
        Event.objects.filter(ticket=ticket)
        .exclude(kind__in=TIMELINE_HIDDEN_EVENTS)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    items = [("message", m.created_at, m) for m in messages]
    items += [("event", e.created_at, e) for e in events]
    items.sort(key=lambda item: (item[1], item[0] == "message"))
    return items


def case_participants(ticket):
    """The people added to a case, with their contact, for the side column."""
    return list(ticket.participants.select_related("contact").order_by("id"))


def case_clocks(ticket, *, live=False):
    """The SLA clocks of a case in start order (`sla.selectors.ticket_clocks`; `live`: running
    and paused ones only), each with its policy and calendar taken from the active policies
    cached per process (`sla.services.active_policies`, stamped: reloaded when a policy, target
    or calendar changes) instead of joined in the query. A clock of a policy no longer active
    loads its policy when used, as before."""
    from ventanilla.sla.models import SlaClock
    from ventanilla.sla.selectors import LIVE
    from ventanilla.sla.services import active_policies

    policies = {policy.pk: policy for policy in active_policies()}
    clocks = SlaClock.objects.filter(ticket=ticket)
    if live:
        clocks = clocks.filter(state__in=LIVE)
    clocks = list(clocks.order_by("kind", "started_at", "id"))
    for clock in clocks:
        if clock.policy_id in policies:
            clock.policy = policies[clock.policy_id]
    return clocks
