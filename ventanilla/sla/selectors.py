"""Reads of SLA data for pages, reports and the explain partial."""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import TruncMonth

from ventanilla.sla.models import ClockState, SlaClock
from ventanilla.sla.services import resolve_targets
from ventanilla.tickets.models import Event

LIVE = (ClockState.RUNNING, ClockState.PAUSED)


def tickets_by_next_deadline(queryset, *, kind="contractual"):
    """`queryset` annotated with `sla_next_due` (the earliest running deadline) and sorted by it,
    soonest first, tickets without a running clock last. One query."""
    due = (
        SlaClock.objects.filter(ticket=OuterRef("pk"), state=ClockState.RUNNING, kind=kind)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    return queryset.annotate(sla_next_due=Subquery(due)).order_by(
        F("sla_next_due").asc(nulls_last=True), "-last_activity_at", "-id"
    )


def with_sla_clocks(queryset):
    """Prefetch every ticket's live clocks (and their calendars) for badges: one more query."""
    clocks = SlaClock.objects.filter(state__in=LIVE).select_related("policy__calendar")
    return queryset.prefetch_related(Prefetch("sla_clocks", queryset=clocks, to_attr="live_clocks"))


def ticket_clocks(ticket):
    """Every clock of a ticket (live first is not needed: in start order), policies loaded."""
    return list(
        SlaClock.objects.filter(ticket=ticket)
        .select_related("policy__calendar")
        .order_by("kind", "started_at", "id")
    )


def sla_rules(ticket):
    """Which policy applies to each target and why: the matched conditions as (label, value)."""
    rules = []
    for (kind, target), (policy, goal, matched) in sorted(resolve_targets(ticket).items()):
        conditions = [
            (ticket._meta.get_field(name).verbose_name, _shown(ticket, name)) for name in matched
        ]
        rules.append(
            {
                "kind": kind,
                "target": target,
                "policy": policy,
                "goal": goal,
                "conditions": conditions,
            }
        )
    return rules


def sla_explanation(ticket):
    """Which policy applies to each target and why, each clock's deadlines, pauses and events."""
    rules = sla_rules(ticket)
    events = Event.objects.filter(ticket=ticket, kind__startswith="sla_").order_by("created_at")
    return {"rules": rules, "clocks": ticket_clocks(ticket), "events": list(events)}


def _shown(ticket, name):
    display = getattr(ticket, f"get_{name}_display", None)
    return display() if display else str(getattr(ticket, name))


def sla_compliance(*, by, kind="contractual", since=None):
    """Rows {key…, met, missed, total, percent} of stopped clocks grouped by `by`:
    "organization", "team", "severity" or "month". One query."""
    clocks = SlaClock.objects.filter(kind=kind, state__in=(ClockState.MET, ClockState.MISSED))
    if since is not None:
        clocks = clocks.filter(started_at__gte=since)
    if by == "organization":
        keys = ("ticket__organization__name",)
    elif by == "team":
        keys = ("ticket__team__name",)
    elif by == "severity":
        keys = ("ticket__severity",)
    elif by == "month":
        clocks = clocks.annotate(month=TruncMonth("started_at"))
        keys = ("month",)
    else:
        raise ValueError(by)
    rows = (
        clocks.values(*keys)
        .annotate(
            met=Count("pk", filter=Q(state=ClockState.MET)),
            missed=Count("pk", filter=Q(state=ClockState.MISSED)),
        )
        .order_by(*keys)
    )
    result = []
    for row in rows:
        total = row["met"] + row["missed"]
        result.append(
            {
                "key": row[keys[0]],
                "met": row["met"],
                "missed": row["missed"],
                "total": total,
                "percent": round(100 * row["met"] / total, 1) if total else None,
            }
        )
    return result


def tickets_at_risk(user, *, limit=10):
    """Open visible cases with a running contractual clock, soonest deadline first, with their
    live clocks prefetched for badges (two queries)."""
    from ventanilla.tickets.access import tickets_visible_to
    from ventanilla.tickets.workflow import OPEN

    running = SlaClock.objects.filter(
        ticket=OuterRef("pk"), state=ClockState.RUNNING, kind="contractual"
    )
    queryset = (
        tickets_visible_to(user)
        .filter(status__in=OPEN)
        .filter(Exists(running))
        .select_related("organization", "assignee")
    )
    return list(with_sla_clocks(tickets_by_next_deadline(queryset))[:limit])
