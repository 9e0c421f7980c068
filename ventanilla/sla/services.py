"""SLA clocks: the one door through which ticket services start, pause, resume, stop and
recompute them. Each function is called inside the ticket service's transaction and writes a
ticket Event for every deadline set, pause, resume and stop (docs/sla.md)."""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from ventanilla.mail.stamps import StampedCache, config_changed
from ventanilla.sla import clockmath
from ventanilla.sla.businesstime import CalendarError, default_calendar
from ventanilla.sla.models import (
    BusinessCalendar,
    CalendarClosure,
    ClockState,
    SlaClock,
    SlaPolicy,
    TargetKind,
)
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
    """The `Calendar` of a clock's policy: its stored calendar, else the default office one.
    `policy` may also be a list row's stand-in that carries a calendar already built for the
    page (`built_calendar`, tickets.selectors.next_clocks)."""
    built = getattr(policy, "built_calendar", None)
    if built is not None:
        return built
    if policy is not None and policy.calendar_id is not None:
        return stored_calendar(policy.calendar_id)
    return default_calendar()


def _load_calendars():
    """{calendar id: its Calendar with its closures, or the CalendarError building it raised}
    for every stored calendar (a handful): two queries per configuration change."""
    closures = {}
    for calendar_id, day in CalendarClosure.objects.order_by("date").values_list(
        "calendar_id", "date"
    ):
        closures.setdefault(calendar_id, []).append(day)
    built = {}
    for stored in BusinessCalendar.objects.all():
        try:
            built[stored.pk] = stored.to_calendar(closures=closures.get(stored.pk, ()))
        except CalendarError as error:
            built[stored.pk] = error
    return built


# Until round 4 every deadline on a stored calendar read its closures (a query per clock: three
# per opening, one per badge on a case page). Kept in memory until a calendar or a closure
# changes (both watched by mail/stamps.py).
_CALENDARS = StampedCache(_load_calendars)


def stored_calendar(calendar_id):
    """The `Calendar` of the stored business calendar `calendar_id` (shared: do not change)."""
    built = _CALENDARS.get().get(calendar_id)
    if built is None:  # created since the stamp was read (not yet committed elsewhere)
        return BusinessCalendar.objects.get(pk=calendar_id).to_calendar()
    if isinstance(built, CalendarError):
        raise built
    return built


def _load_active_policies():
    return list(
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("targets")
        .order_by("position", "id")
    )


# perf-writes: read on every opening (≈ 5 ms of ORM work for the 14 default policies); kept in
# memory until a policy, target or calendar changes (mail/stamps.py). Do not change the objects.
_ACTIVE_POLICIES = StampedCache(_load_active_policies)


def active_policies():
    """The active policies in match order, with their targets and calendar (shared objects)."""
    return list(_ACTIVE_POLICIES.get())


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
    event = _event_row(ticket, kind, clock, now, before=before, note=note, **extra)
    event.save(force_insert=True)
    return event


def _event_row(ticket, kind, clock, now, *, before=None, note="", **extra):
    """The unsaved Event of a clock change (saved by `_event`, or in bulk)."""
    after = {
        "clock": clock.pk,
        "policy": clock.policy.name if clock.policy_id else "",
        "sla": clock.kind,
        "target": clock.target,
        "due_at": clock.due_at.isoformat(),
        **extra,
    }
    return Event(
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


def _new_clock(ticket, policy, target, started_at):
    """An unsaved clock for `target` of `policy`, its deadline and warning computed."""
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
    return clock


def _start(ticket, policy, target, started_at, now):
    clock = _new_clock(ticket, policy, target, started_at)
    clock.save()
    _event(ticket, Event.Kind.SLA_DEADLINE, clock, now)
    if ticket.status in pause_statuses():
        _pause(ticket, clock, now)
    return clock


def _start_targets(ticket, kinds, now, started_at=None, events_before=()):
    """Start every matching clock: the clocks in one INSERT and their "deadline set" events in
    another (perf-writes: 8 INSERTs → 2 at opening; same rows and order as one by one).
    `events_before`: unsaved events of the caller written first in that same INSERT."""
    clocks = []
    for (_kind, target_kind), (policy, target, _m) in resolve_targets(ticket).items():
        if target_kind not in kinds:
            continue
        clocks.append(_new_clock(ticket, policy, target, started_at or now))
    bulk = connection.features.can_return_rows_from_bulk_insert
    if not clocks or not bulk:
        for event in events_before:
            event.save(force_insert=True)
    if not clocks:
        return clocks
    if not bulk:
        return [_start(ticket, c.policy, c, c.started_at, now) for c in clocks]  # pragma: no cover
    SlaClock.objects.bulk_create(clocks)
    Event.objects.bulk_create(
        [
            *events_before,
            *(_event_row(ticket, Event.Kind.SLA_DEADLINE, clock, now) for clock in clocks),
        ]
    )
    if ticket.status in pause_statuses():
        for clock in clocks:
            _pause(ticket, clock, now)
    return clocks


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


def sla_ticket_opened(*, ticket, now=None, events_before=()):
    """A new case: first response, start of work and resolution clocks from its creation.
    `events_before` (unsaved, e.g. the case's "created" event): written first, in the same
    INSERT as the clocks' events (branch create: one statement less per opening)."""
    now = now or timezone.now()
    return _start_targets(
        ticket, OPENING_TARGETS, now, started_at=ticket.created_at, events_before=events_before
    )


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


# ---- slaedit: supervisors edit policies and automations from the console ----
# Every change goes through these functions: permission-checked (supervisor or superuser),
# validated with translated messages, and recorded in `SlaChange` (the audit trail shown on the
# console pages). Running clocks are not rewritten: new targets apply to new cases and to cases
# whose classification changes, or to all open cases through `sla_recompute_open_cases`.

# Calendar days are a resolution measure (seed 001); answers and start of work are promised in
# business time or 24×7 time.
VALID_UNITS = {
    T.FIRST_RESPONSE: ("business_minutes", "business_days", "minutes_24x7"),
    T.NEXT_RESPONSE: ("business_minutes", "business_days", "minutes_24x7"),
    T.START_OF_WORK: ("business_minutes", "business_days", "minutes_24x7"),
    T.RESOLUTION: ("business_minutes", "business_days", "minutes_24x7", "calendar_days"),
}
MAX_AMOUNT = {  # a year, in each unit: a larger number is a typing mistake
    "business_minutes": 250 * 570,
    "business_days": 250,
    "minutes_24x7": 365 * 24 * 60,
    "calendar_days": 365,
}
RECOMPUTE_LIMIT = 500
_POLICY_FIELDS = (
    "name",
    "kind",
    "is_active",
    *SlaPolicy.CONDITIONS,
    "calendar",
    "warning_percent",
    "notify_assignee",
    "notify_team",
    "notify_supervisors",
    "breach_raise_tier",
    "breach_reassign_to",
)


def _require_supervisor(by):
    from django.core.exceptions import PermissionDenied

    from ventanilla.accounts.roles import is_supervisor

    if not is_supervisor(by):
        raise PermissionDenied("only supervisors change SLA policies and automations")


def _audit(by, subject, obj, action, changes=None, now=None):
    from ventanilla.sla.models import SlaChange

    return SlaChange.objects.create(
        at=now or timezone.now(),
        by=by,
        subject=subject,
        object_id=getattr(obj, "pk", None),
        name=getattr(obj, "name", "")[:120],
        action=action,
        changes=changes or {},
    )


def _snapshot(obj, fields):
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = getattr(obj, field.attname)
        values[name] = value if value is None or isinstance(value, bool | int | str) else str(value)
    return values


def _diff(before, after):
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def target_errors(target, amount, unit):
    """Translated problems with one target: {"amount"|"unit": [messages]} (empty when fine)."""
    from django.utils.translation import gettext as _

    from ventanilla.sla.models import Unit

    errors = {}
    if amount is None or amount <= 0:
        errors["amount"] = [_("Enter an amount greater than zero.")]
    if unit not in VALID_UNITS.get(target, ()):
        allowed = ", ".join(str(Unit(u).label) for u in VALID_UNITS.get(target, ()))
        errors["unit"] = [
            _("This unit does not fit this target. Choose one of: %(units)s.") % {"units": allowed}
        ]
    elif amount is not None and amount > MAX_AMOUNT[unit]:
        errors["amount"] = [
            _("That is more than a year. Enter at most %(max)s.") % {"max": MAX_AMOUNT[unit]}
        ]
    return errors


def policy_save(*, by, policy, targets, now=None):
    """Create or change a policy and replace its targets. `targets` = {target kind: (amount,
    unit)}; at least one. Raises ValidationError (translated, per field / per target)."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.db.models import Max
    from django.utils.translation import gettext as _

    from ventanilla.sla.models import SlaTarget

    _require_supervisor(by)
    errors = {}
    try:
        policy.full_clean(exclude=["position"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if not targets:
        errors.setdefault("__all__", []).append(_("Set at least one target."))
    for kind, (amount, unit) in targets.items():
        for field, problems in target_errors(kind, amount, unit).items():
            errors[f"target:{kind}:{field}"] = problems
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        creating = policy.pk is None
        if creating:
            before, old_targets = {}, {}
            last = SlaPolicy.objects.filter(kind=policy.kind).aggregate(m=Max("position"))["m"]
            policy.position = (last or 0) + 10
        else:
            stored = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
            before = _snapshot(stored, _POLICY_FIELDS)
            old_targets = {t.target: [t.amount, t.unit] for t in stored.targets.all()}
            if stored.kind != policy.kind:  # moves to the end of its new list
                last = SlaPolicy.objects.filter(kind=policy.kind).aggregate(m=Max("position"))
                policy.position = (last["m"] or 0) + 10
        policy.save()
        new_targets = {k: [a, u] for k, (a, u) in targets.items()}
        if new_targets != old_targets:
            policy.targets.all().delete()
            SlaTarget.objects.bulk_create(
                SlaTarget(policy=policy, target=k, amount=a, unit=u)
                for k, (a, u) in sorted(targets.items())
            )
        changes = _diff(before, _snapshot(policy, _POLICY_FIELDS))
        if new_targets != old_targets:
            changes["targets"] = [old_targets, new_targets]
        if creating or changes:
            _audit(by, "policy", policy, "created" if creating else "changed", changes, now)
        config_changed()  # targets written in bulk send no signal (mail/stamps.py)
    return policy


def _ordered(kind):
    return list(SlaPolicy.objects.select_for_update().filter(kind=kind).order_by("position", "id"))


def policy_move(*, by, policy, direction, now=None):
    """Move a policy one place up or down in its kind's match order (renumbers 10, 20, …).
    Returns False when it is already first / last."""
    from django.db import transaction

    _require_supervisor(by)
    if direction not in ("up", "down"):
        raise ValueError(direction)
    with transaction.atomic():
        rows = _ordered(policy.kind)
        index = next(i for i, p in enumerate(rows) if p.pk == policy.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(rows):
            return False
        rows[index], rows[other] = rows[other], rows[index]
        base = min(p.position for p in rows) // 10 * 10 or 10
        for i, row in enumerate(rows):
            position = base + i * 10
            if row.position != position:
                SlaPolicy.objects.filter(pk=row.pk).update(position=position)
            if row.pk == policy.pk:
                policy.position = position
        _audit(by, "policy", policy, "moved_" + direction, {"position": other + 1}, now)
        config_changed()  # positions written with update(): no signal (mail/stamps.py)
    return True


def policy_set_active(*, by, policy, active, now=None):
    _require_supervisor(by)
    if policy.is_active == active:
        return policy
    policy.is_active = active
    policy.save(update_fields=["is_active"])
    _audit(by, "policy", policy, "activated" if active else "deactivated", {}, now)
    return policy


def automation_save(*, by, automation, now=None):
    """Create or change an automation (validated: the action must fit the trigger)."""
    from django.db import transaction
    from django.db.models import Max

    from ventanilla.sla.models import Automation

    _require_supervisor(by)
    automation.full_clean(exclude=["position"])
    fields = ("name", "is_active", "trigger", "after_amount", "after_unit", "action", "severity")
    with transaction.atomic():
        creating = automation.pk is None
        before = {}
        if creating:
            last = Automation.objects.aggregate(m=Max("position"))["m"]
            automation.position = (last or 0) + 10
        else:
            before = _snapshot(Automation.objects.get(pk=automation.pk), fields)
        automation.save()
        changes = _diff(before, _snapshot(automation, fields))
        if creating or changes:
            _audit(by, "automation", automation, "created" if creating else "changed", changes, now)
    return automation


def sla_recompute_open_cases(*, by, limit=RECOMPUTE_LIMIT, now=None):
    """Re-match the policies on open cases (newest first, at most `limit`), as if each had been
    reclassified: live clocks move to the new targets from their original start. Returns
    (cases looked at, open cases left out)."""
    from django.db import transaction

    from ventanilla.tickets.models import Ticket

    _require_supervisor(by)
    now = now or timezone.now()
    open_cases = Ticket.objects.filter(status__in=OPEN)
    total = open_cases.count()
    done = 0
    for ticket in open_cases.order_by("-created_at", "-id")[:limit]:
        with transaction.atomic():
            sla_ticket_reclassified(ticket=ticket, now=now)
        done += 1
    _audit(by, "open_cases", None, "recomputed", {"cases": done, "left_out": total - done}, now)
    return done, total - done
