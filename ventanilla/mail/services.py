"""Outgoing mail: one door. Rows are written in the caller's transaction; sending happens after
commit in the task worker, with retries and backoff (ARCHITECTURE rules 4 and 8)."""

import logging
from contextlib import contextmanager
from datetime import timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import router, transaction
from django.db.models import Model
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from ventanilla.lib.tokens import make_short_token
from ventanilla.mail.models import OutboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
REPLY_TOKEN_PURPOSE = "mail-reply"  # noqa: S105 (a signing salt, not a secret)
THREAD_REFERENCES = 10  # how many earlier Message-IDs of the case go in References
# notify: emails only staff receive; they stay out of the customer's thread (In-Reply-To and
# References would otherwise point at messages the customer never got).
STAFF_ONLY_TEMPLATES = (
    "agent_new_case",
    "agent_assigned",
    "agent_escalated",
    "ticket_customer_reply",
    "sla_warning",
    "sla_breach",
)


def render_email(template, context, language):
    """Render the subject / text / HTML trio of `emails/<template>` in `language`."""
    zone = ZoneInfo(settings.VENTANILLA_DISPLAY_TIME_ZONE)
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(zone):
        subject = _render_plain(f"emails/{template}.subject.txt", context).strip()
        text = _render_plain(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    return " ".join(subject.split()), text, html


def _render_plain(name, context):
    """Render a plain-text template with autoescape off: "Sánchez & Hijos" stays as written
    (HTML escaping is for the HTML part only)."""
    return get_template(name).template.render(Context(context, autoescape=False))


def _full_context(ticket, context):
    return {
        "site_url": settings.SITE_URL,
        "brand": settings.VENTANILLA_BRAND,
        **case_links(ticket),
        **context,
    }


def email_enqueue(
    *, template, to, context, language=None, ticket=None, headers=None, render_later=False
):
    """Queue one email; returns the row. Sent by the worker once the transaction commits.

    `render_later=True` (branch create): when every context value is a saved model instance or
    a plain str/int/float/bool/None, the row stores what to render (`render_spec`) instead of
    the text, and the worker renders it when it sends it, from the rows as they are then (the
    same email unless they changed in between; `OutboundEmail` renders on read for any other
    reader). Otherwise it is rendered now, as by default."""
    recipients = sorted({address.lower() for address in to if address})
    if not recipients:
        return None
    spec = _render_spec(ticket, context, language) if render_later else None
    if spec is None:
        subject, text, html = render_email(template, _full_context(ticket, context), language)
    else:
        subject, text, html = "", "", ""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "ventanilla.localhost"
    email = OutboundEmail(
        template=template,
        ticket=ticket,
        to=recipients,
        subject=subject,
        body_text=text,
        body_html=html,
        render_spec=spec,
        headers={"Auto-Submitted": "auto-generated", **thread_headers(ticket), **(headers or {})},
        message_id=new_message_id(domain),
    )
    batch = getattr(transaction.get_connection(), "_ventanilla_email_batch", None)
    if batch is not None:
        batch.append(email)  # written when the batch ends (email_batch): no id before that
    else:
        email.save(force_insert=True)
        _send_after_commit(email.pk)
    fresh = getattr(ticket, "_thread_ids", None)
    if fresh is not None and template not in STAFF_ONLY_TEMPLATES:
        fresh.append((email.message_id, email.created_at))
    return email


@contextmanager
def email_batch():
    """Emails queued inside the block are written when it ends (branch create): their rows in
    one INSERT, and the task that sends them in the same transaction when the task backend is
    the database one on this database (else one task after commit, as one by one). Same rows,
    same order; the task row is then as durable as the emails it sends, and sending still
    waits for the commit (the worker cannot see the task before). `email_enqueue` returns
    unsaved rows inside the block. Nested blocks join the outer one."""
    connection = transaction.get_connection()
    if getattr(connection, "_ventanilla_email_batch", None) is not None:
        yield
        return
    pending = connection._ventanilla_email_batch = []
    try:
        yield
    finally:
        connection._ventanilla_email_batch = None
    if not pending:
        return
    if connection.features.can_return_rows_from_bulk_insert:
        OutboundEmail.objects.bulk_create(pending)
    else:  # pragma: no cover (SQLite and PostgreSQL return ids)
        for email in pending:
            email.save(force_insert=True)
    ids = [email.pk for email in pending]
    if _tasks_written_here(connection):
        _enqueue_send_many(ids)
    else:
        for email_id in ids:
            _send_after_commit(email_id)


def _tasks_written_here(connection):
    """Whether a send task queued now is a row of this transaction (django_tasks_db on the
    outbox's database): then it needs no after-commit hook."""
    from ventanilla.mail.tasks import send_outbound_emails

    if not connection.in_atomic_block:
        return False
    try:
        from django_tasks_db import DatabaseBackend
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover
        return False
    backend = send_outbound_emails.get_backend()
    return isinstance(backend, DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == connection.alias
    )


_PLAIN = (str, int, float, bool, type(None))


def _render_spec(ticket, context, language):
    """What `render_from_spec` needs to render this email later, or None when the context
    holds something that cannot be named by value (then it is rendered now)."""
    if ticket is not None and ticket.pk is None:
        return None
    named = {}
    for key, value in context.items():
        if isinstance(value, Model) and value.pk is not None:
            named[key] = {"model": value._meta.label_lower, "pk": value.pk}
        elif type(value) in _PLAIN:  # exact types: enums and lazy strings are rendered now
            named[key] = value
        else:
            return None
    ticket_id = ticket.pk if ticket is not None else None
    return {"language": language, "ticket": ticket_id, "context": named}


def render_from_spec(template, spec):
    """(subject, text, html) of an email queued with `render_later`: its instances read again
    (each once), the same context `email_enqueue` builds, rendered in the same language."""
    loaded = {}

    def load(label, pk):
        if (label, pk) not in loaded:
            loaded[label, pk] = apps.get_model(label)._base_manager.get(pk=pk)
        return loaded[label, pk]

    ticket = load("tickets.ticket", spec["ticket"]) if spec.get("ticket") is not None else None
    context = {
        key: load(value["model"], value["pk"]) if isinstance(value, dict) else value
        for key, value in spec["context"].items()
    }
    return render_email(template, _full_context(ticket, context), spec.get("language"))


def _send_after_commit(email_id):
    """One send task per transaction, whatever the number of emails it queues (perf-writes):
    the id joins the list of a send already registered in this transaction when that hook is
    still pending and was registered outside every savepoint we are in (so no rollback can drop
    the hook without also dropping this row); otherwise a new hook and list. An id whose row a
    savepoint rolled back finds no row at send time and is skipped; a row whose task never ran
    is picked up by the `outbox_retry` sweep (state queued, next attempt due)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _enqueue_send_many([email_id])
        return
    batch = getattr(connection, "_ventanilla_send_batch", None)
    if batch is not None and _still_pending(connection, batch):
        if email_id not in batch.ids:
            batch.ids.append(email_id)
        return
    batch = _SendBatch([email_id])
    connection._ventanilla_send_batch = batch
    transaction.on_commit(batch)


class _SendBatch:
    def __init__(self, ids):
        self.ids = ids

    def __call__(self):
        _enqueue_send_many(self.ids)


def _still_pending(connection, batch):
    savepoints = set(connection.savepoint_ids)
    return any(hook is batch and sids <= savepoints for sids, hook, *_ in connection.run_on_commit)


def _enqueue_send_many(email_ids):
    from ventanilla.mail.tasks import send_outbound_email, send_outbound_emails

    if len(email_ids) == 1:
        send_outbound_email.enqueue(email_ids[0])
    else:
        send_outbound_emails.enqueue(list(email_ids))


def case_links(ticket):
    """Absolute links to the case for the customer (area) and for staff (console)."""
    if ticket is None or not ticket.number:
        return {}
    return {
        "case_url": settings.SITE_URL + reverse("portal:case_detail", args=[ticket.number]),
        "console_case_url": settings.SITE_URL
        + reverse("console:case_detail", args=[ticket.number]),
    }


def reply_address(ticket):
    """soporte+<token>@<intake domain>: a customer's answer threads even without headers."""
    local = settings.VENTANILLA_INTAKE_REPLY_LOCALPART
    token = make_short_token(REPLY_TOKEN_PURPOSE, ticket.pk)
    return f"{local}+{token}@{settings.VENTANILLA_INTAKE_DOMAIN}"


def thread_headers(ticket):
    """Reply-To with the case token, and In-Reply-To / References to the case's earlier mail,
    so that mail clients keep the conversation together and replies find their case.

    While `ticket_open` notifies, the new case carries `_thread_ids`, the (Message-ID, time) of
    the customer-visible mail queued so far in that call: nothing else can exist yet, so the two
    queries are spared (perf-writes)."""
    if ticket is None or ticket.pk is None:
        return {}
    fresh = getattr(ticket, "_thread_ids", None)
    if fresh is not None:  # a case being opened: its only mail is what we queued (no query)
        return _thread_headers(ticket, fresh[-THREAD_REFERENCES:])
    from ventanilla.mail.models import InboundEmail

    outbound = (
        OutboundEmail.objects.filter(ticket=ticket)
        .exclude(template__in=STAFF_ONLY_TEMPLATES)  # notify: the customer never saw those
        .values_list("message_id", "created_at")
    )
    inbound = (
        InboundEmail.objects.filter(ticket=ticket)
        .exclude(message_id="")
        .values_list("message_id", "received_at")
    )
    earlier = sorted(
        [*outbound.order_by("-created_at")[:THREAD_REFERENCES]]
        + [(f"<{mid}>", at) for mid, at in inbound.order_by("-received_at")[:THREAD_REFERENCES]],
        key=lambda pair: pair[1],
    )[-THREAD_REFERENCES:]
    return _thread_headers(ticket, earlier)


def _thread_headers(ticket, earlier):
    headers = {"Reply-To": reply_address(ticket)}
    if earlier:
        headers["In-Reply-To"] = earlier[-1][0]
        headers["References"] = " ".join(mid for mid, _ in earlier)
    return headers


def new_message_id(domain):
    """A globally unique Message-ID (from os.urandom: immune to seeded `random`)."""
    return f"<{uuid4().hex}@{domain}>"


def _enqueue_send(email_id, run_after=None):
    from ventanilla.mail.tasks import send_outbound_email

    if run_after is None:
        send_outbound_email.enqueue(email_id)
    elif send_outbound_email.get_backend().supports_defer:
        send_outbound_email.using(run_after=run_after).enqueue(email_id)
    # Without deferral (immediate backend in tests) the `outbox_retry` sweep picks it up.


def outbound_email_send(*, email_id, now=None):
    """Try to send one queued email; on failure schedule a retry with exponential backoff."""
    now = now or timezone.now()
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.state in (OutboundEmail.State.SENT, OutboundEmail.State.DEAD):
            return email
        email.attempts += 1
        try:
            _deliver(email)
        except Exception as error:
            log.warning("email %s failed (attempt %s): %s", email.pk, email.attempts, error)
            email.last_error = f"{type(error).__name__}: {error}"[:2000]
            dead = email.attempts >= MAX_ATTEMPTS
            email.state = OutboundEmail.State.DEAD if dead else OutboundEmail.State.FAILED
            email.next_attempt_at = now + timedelta(minutes=2**email.attempts)
            if not dead:
                when = email.next_attempt_at
                transaction.on_commit(lambda: _enqueue_send(email.pk, run_after=when))
        else:
            email.state, email.sent_at, email.last_error = OutboundEmail.State.SENT, now, ""
        fields = ["attempts", "state", "last_error", "next_attempt_at", "sent_at"]
        if email.render_spec and email.__dict__.get("_rendered_from") is email.render_spec:
            # Rendered for this send (render_later): keep the text that went out, on the row.
            email.render_spec = None
            fields += ["subject", "body_text", "body_html", "render_spec"]
        email.save(update_fields=fields)
    return email


def _deliver(email):
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        headers={"Message-ID": email.message_id, **email.headers},
        connection=mailers.default,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    message.send()


def outbox_retry_due(*, now=None):
    """Send every failed email whose retry time has come; returns how many were tried."""
    now = now or timezone.now()
    due = OutboundEmail.objects.filter(
        state__in=[OutboundEmail.State.QUEUED, OutboundEmail.State.FAILED], next_attempt_at__lte=now
    ).values_list("pk", flat=True)[:500]
    ids = list(due)
    for email_id in ids:
        outbound_email_send(email_id=email_id, now=now)
    return len(ids)
