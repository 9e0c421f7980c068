"""The SLA sweep: mark clocks past their warning share or past due, once, and run the policy's
actions. Safe with several workers at once: each clock is claimed by a guarded UPDATE (…WHERE
warned_at IS NULL), after `SELECT … FOR UPDATE SKIP LOCKED` where the database has it
(PostgreSQL), so exactly one worker acts on it."""

from django.db import connection, transaction
from django.utils import timezone

from ventanilla.sla import notifications
from ventanilla.sla.models import ClockState, SlaClock
from ventanilla.staff.models import Tier
from ventanilla.tickets.models import Event
from ventanilla.tickets.workflow import Actor

BATCH = 500


def _claim(pk, field, now):
    """True when this worker set `field` on clock `pk` (it was still unset and running)."""
    rows = SlaClock.objects.filter(pk=pk, state=ClockState.RUNNING, **{f"{field}__isnull": True})
    skip_locked = connection.features.has_select_for_update_skip_locked
    if skip_locked and not list(rows.select_for_update(skip_locked=True).values_list("pk")):
        return False
    return rows.update(**{field: now}) == 1


def _event(clock, kind, now, note=""):
    Event.objects.create(
        ticket_id=clock.ticket_id,
        kind=kind,
        actor=None,
        actor_kind=Actor.SYSTEM,
        after={
            "clock": clock.pk,
            "policy": clock.policy.name if clock.policy_id else "",
            "sla": clock.kind,
            "target": clock.target,
            "due_at": clock.due_at.isoformat(),
        },
        note=note,
        created_at=now,
    )


def _load(pk):
    return SlaClock.objects.select_related(
        "policy__breach_reassign_to", "ticket__assignee", "ticket__team"
    ).get(pk=pk)


def _warn(pk, now):
    with transaction.atomic():
        if not _claim(pk, "warned_at", now):
            return False
        clock = _load(pk)
        _event(clock, Event.Kind.SLA_WARNING, now)
        notifications.clock_alert(clock, breach=False)
    return True


def _breach(pk, now):
    with transaction.atomic():
        if not _claim(pk, "breached_at", now):
            return False
        SlaClock.objects.filter(pk=pk, warned_at__isnull=True).update(warned_at=now)
        clock = _load(pk)
        _event(clock, Event.Kind.SLA_BREACH, now)
        notifications.clock_alert(clock, breach=True)
        _breach_actions(clock, now)
    return True


def _breach_actions(clock, now):
    from ventanilla.tickets.services import ticket_assign, ticket_reclassify

    policy, ticket = clock.policy, clock.ticket
    if policy is None or clock.kind != "contractual":
        return
    if policy.breach_raise_tier and ticket.tier < Tier.L3:
        ticket_reclassify(ticket=ticket, by=None, tier=ticket.tier + 1, note=_note(clock), now=now)
    target = policy.breach_reassign_to
    if target is not None and ticket.assignee_id != target.pk:
        ticket_assign(ticket=ticket, by=None, assignee=target, now=now)


def _note(clock):
    return f"SLA: {clock.get_target_display()} ({clock.policy.name})"


def sla_sweep(*, now=None, batch=BATCH):
    """Warn and breach the clocks that are due; returns {"warnings": n, "breaches": n}."""
    now = now or timezone.now()
    running = SlaClock.objects.filter(state=ClockState.RUNNING)
    due = running.filter(breached_at__isnull=True, due_at__lte=now).order_by("due_at")
    breaches = sum(_breach(pk, now) for pk in due.values_list("pk", flat=True)[:batch])
    warn = running.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)
    warn = warn.order_by("warn_at").values_list("pk", flat=True)[:batch]
    warnings = sum(_warn(pk, now) for pk in warn)
    return {"warnings": warnings, "breaches": breaches}
