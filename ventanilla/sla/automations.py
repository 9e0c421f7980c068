"""Time-based automations (seed 003): remind a silent customer, then lower the severity or cancel
the case; auto-close resolved cases. Every change goes through the ticket services and every run
writes an `automation` Event; an AutomationRun row (unique per stay in the status) makes each
rule act once, whichever worker gets there first."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from ventanilla.sla import notifications
from ventanilla.sla.businesstime import add_business_days, add_calendar_days, default_calendar
from ventanilla.sla.models import Automation, AutomationRun, Unit
from ventanilla.tickets.models import Event, Ticket
from ventanilla.tickets.workflow import Actor, Status

A = Automation.Action
LOWER = {"A": "B", "B": "C"}
BATCH = 500


def _threshold(automation, since):
    calendar = default_calendar()
    if automation.after_unit == Unit.BUSINESS_DAYS:
        return add_business_days(calendar, since, automation.after_amount)
    if automation.after_unit == Unit.CALENDAR_DAYS:
        return add_calendar_days(calendar, since, automation.after_amount)
    return since + timedelta(minutes=automation.after_amount)


def _candidates(automation):
    """Tickets in the rule's status, annotated with when they entered it (one query)."""
    status = automation.trigger
    entered = Event.objects.filter(
        ticket=OuterRef("pk"), kind=Event.Kind.STATUS, after__status=status
    ).order_by("-created_at", "-id")
    tickets = Ticket.objects.filter(status=status).annotate(
        since=Subquery(entered.values("created_at")[:1])
    )
    if automation.severity:
        tickets = tickets.filter(severity=automation.severity)
    return tickets.exclude(since__isnull=True).order_by("since")[:BATCH]


def _record(ticket, automation, now, note):
    Event.objects.create(
        ticket=ticket,
        kind=Event.Kind.AUTOMATION,
        actor=None,
        actor_kind=Actor.SYSTEM,
        after={"automation": automation.name, "action": automation.action},
        note=note,
        created_at=now,
    )


def _act(ticket, automation, now):
    from ventanilla.tickets.services import ticket_reclassify, ticket_transition

    action, note = automation.action, automation.name
    if action == A.REMIND:
        notifications.to_customers("sla_reminder", ticket)
    elif action == A.LOWER_SEVERITY:
        lower = LOWER.get(ticket.severity)
        if lower is None:
            return
        ticket_reclassify(ticket=ticket, by=None, severity=lower, note=note, now=now)
        notifications.to_customers("sla_severity_lowered", ticket)
    elif action == A.CANCEL:
        ticket_transition(ticket=ticket, to_status=Status.CANCELLED, by=None, note=note, now=now)
        notifications.to_customers("sla_cancelled", ticket)
    elif action == A.CLOSE:
        ticket_transition(ticket=ticket, to_status=Status.CLOSED, by=None, note=note, now=now)
    _record(ticket, automation, now, note)


def _run_one(automation, ticket, now):
    try:
        with transaction.atomic():
            AutomationRun.objects.create(
                automation=automation, ticket=ticket, since=ticket.since, ran_at=now
            )
            current = Ticket.objects.select_for_update().get(pk=ticket.pk)
            if current.status != automation.trigger:
                raise _Changed
            _act(current, automation, now)
    except (IntegrityError, _Changed):
        return False
    return True


class _Changed(Exception):
    """The ticket left the status between the query and the lock: do nothing."""


def automations_run(*, now=None):
    """Run every active automation once over the tickets it applies to; returns actions taken."""
    now = now or timezone.now()
    done = 0
    for automation in Automation.objects.filter(is_active=True).order_by("position", "id"):
        for ticket in _candidates(automation):
            if now < _threshold(automation, ticket.since):
                continue
            if AutomationRun.objects.filter(
                automation=automation, ticket=ticket, since=ticket.since
            ).exists():
                continue
            done += _run_one(automation, ticket, now)
    return done
