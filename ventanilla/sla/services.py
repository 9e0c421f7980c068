"""SLA clocks: the one door through which ticket services start, pause, resume, stop and
recompute them. Each function is called inside the ticket service's transaction and writes a
ticket Event for every deadline set, pause, resume and stop (docs/sla.md)."""

from django.conf import settings
from django.utils import timezone

from ventanilla.sla import clockmath
from ventanilla.sla.businesstime import default_calendar
from ventanilla.sla.models import ClockState, SlaClock, SlaPolicy, TargetKind
from ventanilla.tickets.models import Event
from ventanilla.tickets.workflow import OPEN, Actor, Status

T = TargetKind
LIVE = (ClockState.RUNNING, ClockState.PAUSED)
# Status changes that mean work on the case has started (seed 004: "comenzar a trabajar").
WORK_STARTED = (
    Status.IN_PROGRESS,
    Status.ESCALATED,
    Status.PENDING,
    Status.SCHEDULED,
    Status.WAITING_ON_CUSTOMER,
)
OPENING_TARGETS = (T.FIRST_RESPONSE, T.START_OF_WORK, T.RESOLUTION)


def pause_statuses():
    return tuple(getattr(settings, "VENTANILLA_SLA_PAUSE_STATUSES", (Status.WAITING_ON_CUSTOMER,)))


def calendar_of(policy):
    if policy is not None and policy.calendar_id is not None:
        return policy.calendar.to_calendar()
    return default_calendar()


def active_policies():
    return list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("targets")
        .order_by("position", "id")
    )


def resolve_targets(ticket, policies=None):
    """{(policy kind, target kind): (policy, target, matched conditions)}: first match wins."""
    chosen = {}
    for policy in active_policies() if policies is None else policies:
        matched = policy.matched_conditions(ticket)
        if matched is None:
            continue
        for target in policy.targets.all():
            chosen.setdefault((policy.kind, target.target), (policy, target, matched))
    return chosen


def _event(ticket, kind, clock, now, *, before=None, note="", **extra):
    after = {
        "clock": clock.pk,
        "policy": clock.policy.name if clock.policy_id else "",
        "sla": clock.kind,
        "target": clock.target,
        "due_at": clock.due_at.isoformat(),
        **extra,
    }
    return Event.objects.create(
        ticket_id=ticket.pk if hasattr(ticket, "pk") else ticket,
        kind=kind,
        actor=None,
        actor_kind=Actor.SYSTEM,
        before=before or {},
        after=after,
        note=note,
        created_at=now,
    )


def _schedule(clock, calendar):
    clock.due_at = clockmath.deadline(
        calendar, clock.started_at, clock.amount, clock.unit, clock.paused_minutes
    )
    percent = clock.policy.warning_percent if clock.policy_id else 80
    clock.warn_at = clockmath.warning_instant(
        calendar, clock.unit, clock.started_at, clock.due_at, percent
    )


def _start(ticket, policy, target, started_at, now):
    clock = SlaClock(
        ticket=ticket,
        policy=policy,
        kind=policy.kind,
        target=target.target,
        amount=target.amount,
        unit=target.unit,
        started_at=started_at,
    )
    _schedule(clock, calendar_of(policy))
    clock.save()
    _event(ticket, Event.Kind.SLA_DEADLINE, clock, now)
    if ticket.status in pause_statuses():
        _pause(ticket, clock, now)
    return clock


def _start_targets(ticket, kinds, now, started_at=None):
    started = []
    for (_kind, target_kind), (policy, target, _m) in resolve_targets(ticket).items():
        if target_kind in kinds:
            started.append(_start(ticket, policy, target, started_at or now, now))
    return started


def _live(ticket, *targets):
    clocks = SlaClock.objects.filter(ticket=ticket, state__in=LIVE).select_related(
        "policy__calendar"
    )
    if targets:
        clocks = clocks.filter(target__in=targets)
    return list(clocks)


def _pause(ticket, clock, now):
    if clock.state != ClockState.RUNNING:
        return
    clock.state, clock.paused_since = ClockState.PAUSED, now
    clock.save(update_fields=["state", "paused_since"])
    _event(ticket, Event.Kind.SLA_PAUSED, clock, now)


def _fold_pause(clock, now):
    """Add the running pause to paused_minutes and push the deadline; returns the minutes."""
    calendar = calendar_of(clock.policy)
    minutes = max(clockmath.elapsed(calendar, clock.unit, clock.paused_since, now), 0)
    clock.pauses = [
        *clock.pauses,
        {"from": clock.paused_since.isoformat(), "to": now.isoformat(), "minutes": minutes},
    ]
    clock.paused_minutes += minutes
    clock.paused_since = None
    clock.state = ClockState.RUNNING
    _schedule(clock, calendar)
    return minutes


def _resume(ticket, clock, now):
    if clock.state != ClockState.PAUSED:
        return
    before = {"due_at": clock.due_at.isoformat()}
    minutes = _fold_pause(clock, now)
    clock.save()
    _event(ticket, Event.Kind.SLA_RESUMED, clock, now, before=before, paused_minutes=minutes)


def _stop(ticket, clock, now, *, cancel=False):
    if clock.state == ClockState.PAUSED:
        _fold_pause(clock, now)
    if cancel:
        clock.state = ClockState.CANCELLED
    else:
        clock.state = ClockState.MET if now <= clock.due_at else ClockState.MISSED
        if clock.state == ClockState.MISSED and clock.breached_at is None:
            clock.breached_at = clock.due_at
    clock.stopped_at = now
    clock.save()
    _event(ticket, Event.Kind.SLA_STOPPED, clock, now, state=clock.state)


def sla_ticket_opened(*, ticket, now=None):
    """A new case: first response, start of work and resolution clocks from its creation."""
    now = now or timezone.now()
    return _start_targets(ticket, OPENING_TARGETS, now, started_at=ticket.created_at)


def sla_staff_replied(*, ticket, now=None):
    """A public staff reply meets the first-response and next-response clocks."""
    now = now or timezone.now()
    for clock in _live(ticket, T.FIRST_RESPONSE, T.NEXT_RESPONSE):
        _stop(ticket, clock, now)


def sla_customer_wrote(*, ticket, now=None):
    """The customer wrote: a next-response clock starts, unless one (or the first) is live."""
    now = now or timezone.now()
    if ticket.status not in OPEN:
        return []
    if _live(ticket, T.FIRST_RESPONSE, T.NEXT_RESPONSE):
        return []
    return _start_targets(ticket, (T.NEXT_RESPONSE,), now)


def sla_status_changed(*, ticket, from_status, to_status, now=None):
    """Pause, resume, stop or restart clocks after `ticket_transition` changed the status."""
    now = now or timezone.now()
    if to_status == Status.CANCELLED:
        for clock in _live(ticket):
            _stop(ticket, clock, now, cancel=True)
        return
    if to_status in (Status.RESOLVED, Status.CLOSED):
        for clock in _live(ticket):
            _stop(ticket, clock, now)
        return
    if from_status in (Status.RESOLVED, Status.CLOSED, Status.CANCELLED):
        _start_targets(ticket, (T.RESOLUTION,), now)  # reopened: a new resolution clock
    if to_status in WORK_STARTED:
        for clock in _live(ticket, T.START_OF_WORK):
            _stop(ticket, clock, now)
    pausing = pause_statuses()
    if to_status in pausing and from_status not in pausing:
        for clock in _live(ticket):
            _pause(ticket, clock, now)
    elif from_status in pausing and to_status not in pausing:
        for clock in _live(ticket):
            _resume(ticket, clock, now)


def _staff_answered(ticket):
    return ticket.messages.filter(from_staff=True, kind="public").exists()


def sla_ticket_reclassified(*, ticket, now=None):
    """Severity, priority (or another condition) changed: re-match the policies and recompute
    each live clock's deadline from its ORIGINAL start, keeping its pauses."""
    now = now or timezone.now()
    chosen = resolve_targets(ticket)
    for clock in _live(ticket):
        match = chosen.get((clock.kind, clock.target))
        if match is None:
            _stop(ticket, clock, now, cancel=True)
            continue
        policy, target, _m = match
        if (clock.policy_id, clock.amount, clock.unit) == (policy.pk, target.amount, target.unit):
            continue
        before = {"due_at": clock.due_at.isoformat(), "policy": getattr(clock.policy, "name", "")}
        clock.policy, clock.amount, clock.unit = policy, target.amount, target.unit
        _schedule(clock, calendar_of(policy))
        if clock.due_at > now:
            clock.breached_at = None
        if clock.warn_at > now:
            clock.warned_at = None
        clock.save()
        _event(ticket, Event.Kind.SLA_DEADLINE, clock, now, before=before)
    _start_missing(ticket, chosen, now)


def _start_missing(ticket, chosen, now):
    if ticket.status not in OPEN:
        return
    existing = set(SlaClock.objects.filter(ticket=ticket).values_list("kind", "target"))
    for (kind, target_kind), (policy, target, _m) in chosen.items():
        if target_kind not in OPENING_TARGETS or (kind, target_kind) in existing:
            continue
        if target_kind == T.START_OF_WORK and ticket.status != Status.WAITING_FOR_SUPPORT:
            continue
        if target_kind == T.FIRST_RESPONSE and _staff_answered(ticket):
            continue
        _start(ticket, policy, target, ticket.created_at, now)
