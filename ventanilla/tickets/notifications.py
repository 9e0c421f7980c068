"""Which emails a ticket change queues, and for whom. Called by tickets.services only.

Every email goes through mail.services.email_enqueue (outbox, sent after commit), rendered in each
recipient's language. The email-channel issue enriches templates and threading headers.
"""

from ventanilla.mail.services import email_enqueue
from ventanilla.tickets.workflow import Status

CUSTOMER_STATUSES = {
    Status.IN_PROGRESS,
    Status.SCHEDULED,
    Status.WAITING_ON_CUSTOMER,
    Status.RESOLVED,
    Status.CLOSED,
    Status.CANCELLED,
}


def _language(contact):
    user = contact.user
    return user.language if user is not None else None


def customer_recipients(ticket):
    """(email, language) for the requester and every participant of the case."""
    contacts = [
        ticket.requester,
        *(p.contact for p in ticket.participants.select_related("contact__user")),
    ]
    seen, recipients = set(), []
    for contact in contacts:
        if contact.email.lower() not in seen and contact.state == contact.State.ACTIVE:
            seen.add(contact.email.lower())
            recipients.append((contact.email, _language(contact)))
    return recipients


def _to_customers(template, ticket, context=None):
    for email, language in customer_recipients(ticket):
        email_enqueue(
            template=template,
            to=[email],
            language=language,
            ticket=ticket,
            context={"ticket": ticket, **(context or {})},
        )


def ticket_received(ticket):
    _to_customers("ticket_received", ticket)


def message_added(message):
    ticket = message.ticket
    if message.from_staff:
        _to_customers("ticket_reply", ticket, {"message": message})
    elif ticket.assignee is not None:
        email_enqueue(
            template="ticket_customer_reply",
            to=[ticket.assignee.email],
            ticket=ticket,
            language=ticket.assignee.language,
            context={"ticket": ticket, "message": message},
        )


def status_changed(ticket, from_status):
    if ticket.status in CUSTOMER_STATUSES:
        _to_customers("ticket_status", ticket, {"from_status": Status(from_status)})


# ---- console ----
def triaged(ticket, from_status):
    """Seed 000: the customer hears when the case is triaged ("cualificado"), also when it goes to
    a status that sends no status email by itself (Pendiente)."""
    if ticket.status not in CUSTOMER_STATUSES:
        _to_customers("ticket_status", ticket, {"from_status": Status(from_status)})
