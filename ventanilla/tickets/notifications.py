"""Which emails a ticket change queues, and for whom. Called by tickets.services only.

Every email goes through mail.services.email_enqueue (outbox, sent after commit), rendered in each
recipient's language. The email-channel issue enriches templates and threading headers.
"""

from django.conf import settings
from django.urls import reverse

from ventanilla.lib.tokens import BadToken, make_token, read_token
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
    if ticket.status == Status.RESOLVED:
        _resolved_with_rating_links(ticket, from_status)
    elif ticket.status in CUSTOMER_STATUSES:
        _to_customers("ticket_status", ticket, {"from_status": Status(from_status)})


# ---- rating links in the "resolved" email (branch contacts) --------------------------------

RATING_PURPOSE = "rating"
RATING_MAX_AGE = 60 * 60 * 24 * 30  # a month: people rate when they read their mail
SCORES = (1, 2, 3, 4, 5)


def rating_token(ticket, contact, score):
    return make_token(RATING_PURPOSE, {"t": ticket.pk, "c": contact.pk, "s": score})


def read_rating_token(token):
    """(ticket id, contact id, score) or lib.tokens.BadToken."""
    payload = read_token(RATING_PURPOSE, token, max_age=RATING_MAX_AGE)
    if not isinstance(payload, dict) or payload.get("s") not in SCORES:
        raise BadToken()
    return payload["t"], payload["c"], payload["s"]


def rating_links(ticket, contact):
    """[(score, absolute URL)] for the one-click satisfaction links of one recipient."""
    return [
        (
            score,
            settings.SITE_URL
            + reverse("portal:rate_link", args=[rating_token(ticket, contact, score)]),
        )
        for score in SCORES
    ]


def _resolved_with_rating_links(ticket, from_status):
    contacts = [
        ticket.requester,
        *(p.contact for p in ticket.participants.select_related("contact__user")),
    ]
    seen = set()
    for contact in contacts:
        if contact.email.lower() in seen or contact.state != contact.State.ACTIVE:
            continue
        seen.add(contact.email.lower())
        email_enqueue(
            template="ticket_status",
            to=[contact.email],
            language=_language(contact),
            ticket=ticket,
            context={
                "ticket": ticket,
                "from_status": Status(from_status),
                "rating_links": rating_links(ticket, contact),
            },
        )


# ---- console ----
def triaged(ticket, from_status):
    """Seed 000: the customer hears when the case is triaged ("cualificado"), also when it goes to
    a status that sends no status email by itself (Pendiente)."""
    if ticket.status not in CUSTOMER_STATUSES:
        _to_customers("ticket_status", ticket, {"from_status": Status(from_status)})
