"""The ticket status pipeline as data: statuses, groups and who may move a ticket where.

Only tickets.services.ticket_transition changes Ticket.status, and it asks `can_transition` first.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    WAITING_FOR_SUPPORT = "waiting_for_support", _("Waiting for support")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    ESCALATED = "escalated", _("Escalated")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING = "pending", _("Pending")
    SCHEDULED = "scheduled", _("Scheduled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Actor(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    SYSTEM = "system", _("System")


S = Status
OPEN = (
    S.WAITING_FOR_SUPPORT,
    S.WAITING_ON_CUSTOMER,
    S.ESCALATED,
    S.IN_PROGRESS,
    S.PENDING,
    S.SCHEDULED,
)
COMPLETED = (S.RESOLVED, S.CLOSED, S.CANCELLED)
FINAL = (S.CLOSED, S.CANCELLED)
# Statuses during which the customer is expected to act (SLA clocks pause there).
WAITING_ON_CUSTOMER = (S.WAITING_ON_CUSTOMER,)

_WORKING = (S.IN_PROGRESS, S.PENDING, S.SCHEDULED, S.WAITING_ON_CUSTOMER, S.ESCALATED)
_AGENT_FROM_OPEN = {*_WORKING, S.RESOLVED, S.CANCELLED}

# (from, to) pairs each actor may perform.
TRANSITIONS = {
    Actor.CUSTOMER: {
        (S.WAITING_FOR_SUPPORT, S.CANCELLED),  # seed 000: cancel while still waiting for help
        (S.RESOLVED, S.IN_PROGRESS),  # reopen within the reopen window
        (S.RESOLVED, S.CLOSED),  # confirm the solution
    },
    Actor.AGENT: {
        *((src, dst) for src in OPEN for dst in _AGENT_FROM_OPEN if src != dst),
        (S.RESOLVED, S.IN_PROGRESS),
        (S.RESOLVED, S.CLOSED),
    },
    Actor.SYSTEM: {
        (S.WAITING_ON_CUSTOMER, S.IN_PROGRESS),  # the customer answered
        (S.WAITING_ON_CUSTOMER, S.CANCELLED),  # no cooperation (seed 003)
        (S.RESOLVED, S.IN_PROGRESS),  # reply within the reopen window
        (S.RESOLVED, S.CLOSED),  # auto-close
        (S.SCHEDULED, S.IN_PROGRESS),  # planned date reached
    },
}
TRANSITIONS[Actor.SUPERVISOR] = TRANSITIONS[Actor.AGENT] | {
    (S.CANCELLED, S.IN_PROGRESS),  # undo a cancellation made by mistake
    (S.CLOSED, S.IN_PROGRESS),
}


def can_transition(actor, from_status, to_status):
    return (Status(from_status), Status(to_status)) in TRANSITIONS[Actor(actor)]


def targets(actor, from_status):
    """Statuses an actor may move a ticket to from `from_status`, in display order."""
    allowed = {dst for src, dst in TRANSITIONS[Actor(actor)] if src == from_status}
    return [status for status in Status if status in allowed]


def is_open(status):
    return status in OPEN
