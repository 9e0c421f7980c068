"""Email intake: store first, then route, thread and hand over to the ticket services.

Every way in (IMAP, LMTP, stdin pipe, webhook) calls ``inbound_receive(raw, source)``:

1. ``inbound_store`` keeps the raw bytes in its own transaction, idempotent on the Message-ID
   (on a hash of the bytes when there is none): a message received twice is stored once.
2. ``inbound_process`` handles one stored message in its own transaction. Whatever goes wrong
   rolls back that message only and leaves it *quarantined* with the error, raw bytes intact,
   for a supervisor to re-process. The next message is never blocked.

Batches (issue 7, docs/perf-writes.md "intake"): `inbound_receive_batch` (IMAP fetch, leftovers,
bench) stores K messages in one transaction (one INSERT) and processes them in one transaction, each
in a savepoint: a message that fails rolls back to its savepoint and is quarantined in the same
transaction, raw kept; the others go on. What depends only on configuration (intake addresses, the
configuration stamp) and the per-message lookups (flood window, active contacts of the senders,
threading by Message-ID and case number) are read once per batch. If the batch's transaction
itself fails, every message of it is processed again on its own (`inbound_process`).

Decisions (docs/email-intake.md): an unknown sender of a known organization becomes a pending
contact and their message is *held* (quarantined, reason ``pending_approval``) until the contact
is approved; ``inbound_release_held`` then processes it. Nothing is sent to anybody meanwhile.
"""

import hashlib
import logging
import re
import traceback
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Value
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.lib.tokens import BadToken, read_short_token
from ventanilla.lib.uploads import UploadProblem, check_uploaded_file
from ventanilla.mail.inbound.parse import parse_email
from ventanilla.mail.inbound.reply import strip_signature, visible_reply
from ventanilla.mail.models import InboundEmail, IntakeAddress, OutboundEmail
from ventanilla.mail.services import REPLY_TOKEN_PURPOSE, email_enqueue
from ventanilla.mail.stamps import StampedCache
from ventanilla.organizations.models import Contact, Organization
from ventanilla.organizations.services import contact_pending_create
from ventanilla.tickets.models import Channel, Event, Ticket
from ventanilla.tickets.services import (
    ticket_add_participant,
    ticket_open,
    ticket_reply_from_contact,
)
from ventanilla.tickets.workflow import FINAL

log = logging.getLogger(__name__)
State = InboundEmail.State
CASE_NUMBER = re.compile(r"\[\s*#?([A-Za-z]{1,4}/\d{4}/\d{1,9})\s*\]")


def db_text(value):
    """Text every database accepts: PostgreSQL refuses NUL bytes and lone surrogates."""
    value = (value or "").replace("\x00", "\ufffd")
    return value.encode("utf-8", "replace").decode("utf-8")


class Quarantine(Exception):
    """Stop processing this message: keep it quarantined with this reason."""

    def __init__(self, reason, detail=""):
        super().__init__(detail or reason)
        self.reason, self.detail = reason, detail or reason


# ---- ways in call this ----------------------------------------------------------------------


def inbound_receive(raw, source, *, detail="", envelope_to=()):
    """Store one raw message, then process it. Returns the InboundEmail row."""
    inbound, _created = inbound_store(raw, source, detail=detail, envelope_to=envelope_to)
    if inbound.state == State.RECEIVED:
        # The row as processing left it (saved): no second read of the raw bytes, no second
        # parse (a batch of one needs no savepoint: its transaction is the message's).
        inbound = inbound_process(inbound.pk, parsed=getattr(inbound, "parsed", None))
    return inbound


def inbound_receive_batch(raws, source, *, detail="", envelope_to=()):
    """Store every message (one transaction), then process them in date order (a reply never
    precedes its parent) in one transaction, a savepoint each. Returns the rows in the order
    given (a message stored before, or twice in `raws`, comes back as that row)."""
    rows = inbound_store_batch(raws, source, detail=detail, envelope_to=envelope_to)
    unique = {row.pk: row for row in rows}
    pending = sorted(
        (row for row in unique.values() if row.state == State.RECEIVED),
        key=lambda row: (row.sent_at or row.received_at, row.pk),
    )
    done = inbound_process_batch(pending)
    return [done.get(row.pk, row) for row in rows]


def dedupe_key(raw, message_id):
    digest = hashlib.sha256(raw).hexdigest()
    key = f"mid:{message_id}" if message_id else f"sha:{digest}"
    return key[:255], digest


def _new_row(raw, source, detail, envelope_to):
    """The row to store for `raw`, parsed once: the parse rides along (`row.parsed`, not a
    field) so that processing never parses the same bytes again."""
    raw = bytes(raw)
    parsed = None
    try:
        parsed = parse_email(raw)
        message_id, sender = db_text(parsed.message_id)[:250], _sender_email(parsed)
        subject, sent_at = db_text(parsed.subject)[:250], parsed.date
    except Exception:  # the parser is not supposed to raise; storing must never depend on it
        log.exception("parse failed while storing")
        message_id, sender, subject, sent_at = "", "", "", None
    key, digest = dedupe_key(raw, message_id)
    row = InboundEmail(
        raw=raw,
        source=source,
        source_detail=db_text(detail)[:200],
        envelope_to=[db_text(address).lower() for address in envelope_to],
        dedupe_key=key,
        message_id=message_id,
        content_hash=digest,
        sender=sender[:254],
        subject=subject,
        sent_at=sent_at,
    )
    row.parsed = parsed
    return row


def inbound_store(raw, source, *, detail="", envelope_to=()):
    """Keep the raw message (its own transaction). Returns (row, created)."""
    row = _new_row(raw, source, detail, envelope_to)
    try:
        # INSERT first, the unique dedupe key decides (perf-writes: a duplicate is the rare
        # case; it costs the failed INSERT plus one read, a new message no read at all).
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:  # stored before (same Message-ID or bytes), or by another worker
        return InboundEmail.objects.get(dedupe_key=row.dedupe_key), False
    return row, True


def inbound_store_batch(raws, source, *, detail="", envelope_to=()):
    """Keep every raw message in one transaction: one read of the dedupe keys, one INSERT of the
    new rows. Returns the rows in the order given. If another worker stores one of them
    meanwhile (unique key), the whole batch is stored again one message at a time."""
    rows = [_new_row(raw, source, detail, envelope_to) for raw in raws]
    first = {}
    for row in rows:
        first.setdefault(row.dedupe_key, row)
    if not first:
        return []
    try:
        with transaction.atomic():
            known = {
                row.dedupe_key: row
                for row in InboundEmail.objects.filter(dedupe_key__in=list(first))
            }
            InboundEmail.objects.bulk_create(
                [row for key, row in first.items() if key not in known]
            )
    except IntegrityError:
        return [
            inbound_store(row.raw, source, detail=detail, envelope_to=envelope_to)[0]
            for row in rows
        ]
    return [known.get(row.dedupe_key) or first[row.dedupe_key] for row in rows]


# ---- processing ------------------------------------------------------------------------------


def inbound_process(inbound_id, *, now=None, parsed=None):
    """Process one stored message in its own transaction; any failure quarantines it."""
    try:
        with transaction.atomic():
            inbound = _locked(inbound_id, raw=parsed is None)
            if inbound.state != State.RECEIVED:
                return inbound
            inbound.attempts += 1
            _process(inbound, now or timezone.now(), parsed)
            inbound.processed_at = timezone.now()
            inbound.save(update_fields=PROCESSED_FIELDS)
            return inbound
    except Quarantine as stop:
        return _quarantine(inbound_id, stop.reason, stop.detail)
    except Exception as error:
        log.warning("inbound email %s quarantined: %s", inbound_id, error)
        detail = f"{type(error).__name__}: {error}\n\n{traceback.format_exc()}"
        return _quarantine(inbound_id, "error", detail)


PROCESSED_FIELDS = [
    "state",
    "reason",
    "error",
    "attempts",
    "processed_at",
    "ticket",
    "ticket_message",
]


def _locked(inbound_id, *, raw):
    """The row, locked; the raw bytes (the biggest column) are read only when needed."""
    rows = InboundEmail.objects.select_for_update()
    return rows.get(pk=inbound_id) if raw else rows.defer("raw").get(pk=inbound_id)


def _quarantine(inbound_id, reason, detail):
    with transaction.atomic():
        inbound = _locked(inbound_id, raw=False)
        inbound.state, inbound.reason = State.QUARANTINED, reason
        inbound.error = db_text(detail)[:20000]
        inbound.attempts = (inbound.attempts or 0) + (0 if reason != "error" else 1)
        inbound.processed_at = timezone.now()
        inbound.save(update_fields=PROCESSED_FIELDS)
    return inbound


def inbound_process_batch(rows, *, now=None):
    """Process stored messages in one transaction, in the order given, each in a savepoint;
    returns {pk: row as left}. A message that fails is rolled back to its savepoint and
    quarantined (reason and attempts as `inbound_process` would set them), raw kept; the
    others are processed. Rows of another state (processed meanwhile) are returned as read.
    Should the batch's own transaction fail, each message is processed again on its own."""
    rows = list(rows)
    if not rows:
        return {}
    try:
        return _process_batch(rows, now)
    except Exception:
        log.exception("intake batch of %s failed; processing its messages one by one", len(rows))
        return {row.pk: inbound_process(row.pk, now=now) for row in rows}


# What a message's processing writes on its row: kept aside to undo a rolled-back savepoint.
_ROW_STATE = [
    "state",
    "reason",
    "error",
    "attempts",
    "processed_at",
    "ticket_id",
    "ticket_message_id",
]


def _process_batch(rows, now):
    parsed = {row.pk: getattr(row, "parsed", None) for row in rows}
    with transaction.atomic():
        locked = InboundEmail.objects.select_for_update().order_by()
        if all(parsed.values()):  # the raw bytes (the biggest column) only when needed
            locked = locked.defer("raw")
        locked = locked.in_bulk([row.pk for row in rows])
        todo = [locked[row.pk] for row in rows if row.pk in locked]
        for inbound in todo:
            if inbound.state == State.RECEIVED and parsed[inbound.pk] is None:
                parsed[inbound.pk] = parse_email(bytes(inbound.raw))
        batch = _Batch.load(
            [(i, parsed[i.pk]) for i in todo if i.state == State.RECEIVED], now or timezone.now()
        )
        done = {}
        for inbound in todo:
            done[inbound.pk] = inbound
            if inbound.state != State.RECEIVED:
                continue
            before = {name: getattr(inbound, name) for name in _ROW_STATE}
            unwritten = set(batch.unwritten)
            inbound.attempts += 1
            try:
                with transaction.atomic():  # the savepoint of this message
                    _process(inbound, now or timezone.now(), parsed[inbound.pk], batch)
            except Exception as error:
                for name, value in before.items():
                    setattr(inbound, name, value)
                batch.unwritten = unwritten
                _quarantine_in_batch(inbound, error)
            else:
                batch.processed(inbound)
            inbound.processed_at = timezone.now()
            batch.pending.append(inbound)
        batch.write()
    return done


def _quarantine_in_batch(inbound, error):
    if isinstance(error, Quarantine):
        reason, detail = error.reason, error.detail
    else:
        log.warning("inbound email %s quarantined: %s", inbound.pk, error)
        reason = "error"
        detail = f"{type(error).__name__}: {error}\n\n{traceback.format_exc()}"
        inbound.attempts += 1
    inbound.state, inbound.reason = State.QUARANTINED, reason
    inbound.error = db_text(detail)[:20000]


class _Batch:
    """What the messages of one batch look up, read once for all of them (one query each)."""

    def __init__(self, now):
        self.since = now - timedelta(hours=1)
        self.addresses = intake_addresses()
        self.flood = {}  # sender: messages in the window stored before this batch
        self.flood_in_batch = {}  # sender: pks of this batch's messages in the window
        self.contacts = {}  # UPPER(email): [active contacts], for ASCII senders
        self.by_inbound = {}  # incoming Message-ID: case
        self.by_outbound = {}  # our Message-ID (without <>): case
        self.by_number = {}  # case number: [case]
        self.tickets = {}  # candidate case of a thread: the row as the batch began
        self.touched = set()  # cases a message of the batch went to: read again when needed
        self.pending = []  # rows processed, their UPDATE still to write
        self.unwritten = set()  # cases of those rows (their thread is not in the table yet)

    @classmethod
    def load(cls, items, now):
        batch = cls(now)
        senders, mids, numbers = set(), set(), set()
        for inbound, parsed in items:
            sender = _sender_email(parsed)
            if sender:
                senders.add(sender)
                if inbound.received_at >= batch.since:
                    batch.flood_in_batch.setdefault(sender, []).append(inbound.pk)
            mids.update(db_text(i) for i in (*parsed.in_reply_to, *parsed.references) if i)
            numbers.update(n.upper() for n in CASE_NUMBER.findall(db_text(parsed.subject)))
        if senders:
            batch.flood = dict(
                flood_counts(senders, batch.since, [inbound.pk for inbound, _ in items])
            )
            keys = sorted({sender.upper() for sender in senders if sender.isascii()})
            for contact in active_contacts_by_emails(keys):
                batch.contacts.setdefault(contact.email_key, []).append(contact)
        if mids:
            for mid, ticket_id in inbound_ticket_ids_of(mids):
                batch.by_inbound.setdefault(mid, ticket_id)
            for mid, ticket_id in outbound_ticket_ids_of(mids):
                batch.by_outbound.setdefault(mid[1:-1], ticket_id)
        if numbers:
            for number, ticket_id in ticket_ids_by_numbers(numbers):
                batch.by_number.setdefault(number, []).append(ticket_id)
        candidates = set()
        for inbound, parsed in items:
            mail = _Mail(inbound, parsed, "", _recipients(parsed, inbound), now, batch=batch)
            candidates.update(_thread_candidates(mail))
        if candidates:
            batch.tickets = tickets_by_ids(candidates)
        return batch

    def recent_count(self, sender, inbound):
        """As `recent_from_sender(…).count()` one message at a time: the sender's messages in
        the last hour before this one (this batch's stored earlier count, later ones do not)."""
        earlier = [pk for pk in self.flood_in_batch.get(sender, ()) if pk < inbound.pk]
        return self.flood.get(sender, 0) + len(earlier)

    def active_contacts(self, sender):
        """The sender's active contacts, or None when only the database can tell."""
        if not sender.isascii():
            return None
        return self.contacts.get(sender.upper())

    def thread_ids(self, message_id):
        for ticket_id in (
            self.by_inbound.get(message_id),
            self.by_outbound.get(message_id),
        ):
            if ticket_id is not None:
                yield ticket_id

    def processed(self, inbound):
        """A message kept: later messages of the batch thread to it as to a stored one."""
        if inbound.ticket_id is None:
            return
        if inbound.message_id:
            self.by_inbound.setdefault(inbound.message_id, inbound.ticket_id)
        number = inbound.ticket.number
        if number and inbound.ticket_id not in self.by_number.get(number, ()):
            self.by_number.setdefault(number, []).append(inbound.ticket_id)
        self.unwritten.add(inbound.ticket_id)

    def before_thread_of(self, ticket_id):
        """A message of the batch answers a case an earlier one of the batch touched: write the
        rows so far, so that the case's thread (References of what it sends) reads as it would
        one message at a time. They are written again at the end (a rolled-back savepoint
        would undo this write)."""
        if ticket_id in self.unwritten:
            self.write()
            self.unwritten = set()

    def write(self):
        """The rows' outcome in one statement: an UPDATE by primary key run for every row
        (`executemany`; `bulk_update`'s CASE WHEN costs ≈ 5 ms of Python per row)."""
        if len(self.pending) == 1:
            self.pending[0].save(update_fields=PROCESSED_FIELDS)
        elif self.pending:
            _update_rows(self.pending, PROCESSED_FIELDS)


def _update_rows(rows, names):
    """UPDATE these columns of these rows, values prepared by the model's own fields."""
    meta, connection = InboundEmail._meta, transaction.get_connection()
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # only quoted names of our own model in the text; every value is a parameter
    sql = f"UPDATE {quote(meta.db_table)} SET {columns} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [
            *(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields),
            row.pk,
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@transaction.atomic
def inbound_reprocess(*, inbound):
    """Run a quarantined or ignored message through intake again (supervisors, after fixing
    the cause: contact created or approved, address configured …)."""
    InboundEmail.objects.filter(pk=inbound.pk).exclude(state=State.PROCESSED).update(
        state=State.RECEIVED, reason="", error=""
    )
    return inbound


def inbound_reprocess_now(*, inbound):
    inbound_reprocess(inbound=inbound)
    return inbound_process(inbound.pk)


def inbound_release_held():
    """Process again held messages whose sender has become an active contact."""
    held = InboundEmail.objects.filter(
        state=State.QUARANTINED, reason__in=["pending_approval", "unknown_sender"]
    ).order_by("sent_at", "pk")
    released = 0
    for inbound in held.iterator():
        active = contacts_by_email(inbound.sender).filter(state=Contact.State.ACTIVE)
        if active.exists():
            inbound_reprocess_now(inbound=inbound)
            released += 1
    return released


def inbound_process_pending():
    """Messages stored but never processed (a crash between the two steps), oldest first, in
    batches of VENTANILLA_INTAKE_BATCH."""
    ids = InboundEmail.objects.filter(state=State.RECEIVED).order_by("sent_at", "pk")
    ids = list(ids.values_list("pk", flat=True))
    size = batch_size()
    if size == 1:
        for inbound_id in ids:
            inbound_process(inbound_id)
        return len(ids)
    for start in range(0, len(ids), size):
        inbound_process_batch(
            [InboundEmail(pk=pk, state=State.RECEIVED) for pk in ids[start : start + size]]
        )
    return len(ids)


def batch_size():
    return max(1, int(getattr(settings, "VENTANILLA_INTAKE_BATCH", 50)))


@dataclass
class _Mail:
    inbound: InboundEmail
    parsed: object
    sender: str
    recipients: list
    now: object
    addresses: dict = None  # intake addresses, read once per message (perf-writes)
    batch: "_Batch" = None  # lookups read once for a batch of messages

    def intake_addresses(self):
        if self.addresses is None:
            self.addresses = intake_addresses()
        return self.addresses


def _process(inbound, now, parsed=None, batch=None):
    parsed = parsed or parse_email(bytes(inbound.raw))
    mail = _Mail(inbound, parsed, _sender_email(parsed), _recipients(parsed, inbound), now)
    if batch is not None:
        mail.batch, mail.addresses = batch, batch.addresses
    if parsed.flags.automated:
        return _ignore(inbound, "automated", "; ".join(parsed.flags.reasons))
    if not _valid_email(mail.sender):
        raise Quarantine("no_sender", _("The message has no valid sender address."))
    if _is_our_address(mail.sender, mail):
        return _ignore(inbound, "loop", _("Sent by one of our own addresses."))
    _check_flood(mail)
    contacts = batch.active_contacts(mail.sender) if batch is not None else None
    if contacts is None:
        contacts = list(
            contacts_by_email(mail.sender)
            .filter(state=Contact.State.ACTIVE)
            .select_related("organization", "user")
            .order_by("pk")
        )
    ticket = _find_thread(mail, {c.organization_id for c in contacts})
    if ticket is not None:
        if batch is not None:
            batch.before_thread_of(ticket.pk)
        contact = next(c for c in contacts if c.organization_id == ticket.organization_id)
        return _reply(mail, ticket, contact)
    if not contacts:
        return _unknown_sender(mail)
    return _open(mail, contacts[0])


def _valid_email(address):
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _ignore(inbound, reason, detail=""):
    inbound.state, inbound.reason, inbound.error = State.IGNORED, reason, db_text(detail)[:2000]


def _check_flood(mail):
    limit = settings.VENTANILLA_INTAKE_FLOOD_PER_HOUR
    if mail.batch is not None:
        count = mail.batch.recent_count(mail.sender, mail.inbound)
    else:
        since = mail.now - timedelta(hours=1)
        count = recent_from_sender(mail.sender, since, mail.inbound.pk).count()
    if count >= limit:
        raise Quarantine(
            "flood",
            _("More than %(limit)s messages from this sender in one hour.") % {"limit": limit},
        )


# ---- routing and threading -------------------------------------------------------------------


def _sender_email(parsed):
    return db_text(parsed.sender.email if parsed.sender else "").strip().lower()


def _recipients(parsed, inbound):
    found = [db_text(a.email).lower() for a in (*parsed.to, *parsed.cc) if a.email]
    for name in ("Delivered-To", "X-Original-To"):
        value = db_text(parsed.header(name)).strip(" <>").lower()
        if "@" in value:
            found.append(value)
    return list(dict.fromkeys([*inbound.envelope_to, *found]))


def _base_address(address):
    local, _, domain = address.partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _load_intake_addresses():
    return {a.address.lower(): a for a in IntakeAddress.objects.all()}


_INTAKE_ADDRESSES = StampedCache(_load_intake_addresses)  # perf-writes: mail/stamps.py


def intake_addresses():
    """{lower-cased address: IntakeAddress}, active or not (kept in memory until one changes)."""
    return _INTAKE_ADDRESSES.get()


def _is_our_address(address, mail=None):
    base = _base_address(address)
    ours = {
        f"{settings.VENTANILLA_INTAKE_REPLY_LOCALPART}@{settings.VENTANILLA_INTAKE_DOMAIN}",
        settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].strip(" >").lower(),
    }
    known = mail.intake_addresses() if mail is not None else intake_addresses()
    return base in ours or base in known


def intake_address_for(recipients, addresses=None):
    """The first active intake address among `recipients` (+tags ignored), or None."""
    found = intake_addresses() if addresses is None else addresses
    for base in (_base_address(address) for address in recipients):
        if base in found and found[base].is_active:
            return found[base]
    return None


def _find_thread(mail, org_ids):
    """The case this message answers, among cases of the sender's organizations only."""
    if not org_ids:
        return None
    batch = mail.batch
    for ticket_id in _thread_candidates(mail):
        if batch is not None and ticket_id in batch.tickets and ticket_id not in batch.touched:
            # read with the batch's other candidates, and no message of the batch went to it
            ticket = batch.tickets[ticket_id]
            if ticket.organization_id not in org_ids:
                continue
        else:  # one at a time, a case opened or answered earlier in the batch, or unknown
            ticket = ticket_of_organizations(ticket_id, org_ids).first()
        if ticket is not None:
            if batch is not None:
                batch.touched.add(ticket.pk)
            return ticket
    return None


def _thread_candidates(mail):
    parsed = mail.parsed
    ids = [*parsed.in_reply_to, *reversed(parsed.references)]
    batch = mail.batch
    for message_id in dict.fromkeys(db_text(i) for i in ids if i):
        if batch is not None:
            yield from batch.thread_ids(message_id)
        else:
            yield from _tickets_of_message_id(message_id)
    for address in mail.recipients:
        local = address.partition("@")[0]
        if "+" in local:
            ticket_id = _token_ticket_id(local.split("+", 1)[1])
            if ticket_id is not None:
                yield ticket_id
    for number in CASE_NUMBER.findall(db_text(parsed.subject)):
        if batch is not None:
            yield from batch.by_number.get(number.upper(), ())
        else:
            yield from ticket_ids_by_number(number)


def _token_ticket_id(token):
    try:
        return read_short_token(REPLY_TOKEN_PURPOSE, token)
    except BadToken:
        return None


def _tickets_of_message_id(message_id):
    yield from inbound_ticket_ids(message_id)
    yield from outbound_ticket_ids(message_id)


# ---- the lookups of every message, each served by an index whatever the size of the tables
# (mail/tests/test_intake_indexes.py checks the PostgreSQL plans) ------------------------------


def recent_from_sender(sender, since, exclude_pk):
    """Flood check: (sender, received_at) index."""
    rows = InboundEmail.objects.filter(sender=sender, received_at__gte=since)
    return rows.exclude(pk=exclude_pk)


def inbound_ticket_ids(message_id):
    """The case of a stored incoming Message-ID: message_id index."""
    rows = InboundEmail.objects.filter(message_id=message_id, ticket__isnull=False)
    return rows.order_by().values_list("ticket_id", flat=True)[:1]


def outbound_ticket_ids(message_id):
    """The case of one of our Message-IDs: unique message_id."""
    rows = OutboundEmail.objects.filter(message_id=f"<{message_id}>", ticket__isnull=False)
    return rows.order_by().values_list("ticket_id", flat=True)[:1]


def ticket_ids_by_number(number):
    """`[C/2026/41]` in the subject: unique number."""
    return Ticket.objects.filter(number=number.upper()).order_by().values_list("pk", flat=True)


def contacts_by_email(email):
    """Contacts with this email whatever its case, through `contact_email_upper_idx`: both sides
    upper-cased by the database (the same function the index was built with; `iexact` would be
    a LIKE on SQLite, which no index serves)."""
    return Contact.objects.filter(Exact(Upper("email"), Upper(Value(email))))


# The same lookups for a batch of messages: one query each for all of them.


def flood_counts(senders, since, exclude_pks):
    """(sender, messages since `since`) for these senders, leaving out the batch's own rows:
    (sender, received_at) index."""
    rows = InboundEmail.objects.filter(sender__in=sorted(senders), received_at__gte=since)
    rows = rows.exclude(pk__in=exclude_pks).order_by()
    return rows.values("sender").annotate(n=Count("pk")).values_list("sender", "n")


def active_contacts_by_emails(keys):
    """Active contacts whose UPPER(email) is one of `keys` (upper-cased ASCII addresses), with
    that key as `email_key`: through `contact_email_upper_idx`."""
    rows = Contact.objects.annotate(email_key=Upper("email"))
    rows = rows.filter(email_key__in=keys, state=Contact.State.ACTIVE)
    return rows.select_related("organization", "user").order_by("pk")


def inbound_ticket_ids_of(message_ids):
    """(incoming Message-ID, case) for stored messages among `message_ids`: message_id index."""
    rows = InboundEmail.objects.filter(message_id__in=sorted(message_ids), ticket__isnull=False)
    return rows.order_by().values_list("message_id", "ticket_id")


def outbound_ticket_ids_of(message_ids):
    """("<Message-ID>", case) for our emails among `message_ids` (given without <>): unique
    message_id."""
    ours = sorted(f"<{message_id}>" for message_id in message_ids)
    rows = OutboundEmail.objects.filter(message_id__in=ours, ticket__isnull=False).order_by()
    return rows.values_list("message_id", "ticket_id")


def ticket_ids_by_numbers(numbers):
    """(number, case) for these upper-cased case numbers: unique number."""
    rows = Ticket.objects.filter(number__in=sorted(numbers)).order_by()
    return rows.values_list("number", "pk")


def tickets_by_ids(ticket_ids):
    """{pk: case} for the candidate cases of a batch's threads: primary key."""
    return Ticket.objects.order_by().in_bulk(sorted(ticket_ids))


def ticket_of_organizations(ticket_id, org_ids):
    """A candidate case, only if it belongs to one of the sender's organizations: primary key."""
    return Ticket.objects.filter(pk=ticket_id, organization_id__in=org_ids).order_by()


# ---- outcomes ----------------------------------------------------------------------------------


def _unknown_sender(mail):
    domain = mail.sender.rpartition("@")[2]
    known = contacts_by_email(mail.sender).filter(state=Contact.State.PENDING)
    pending = known.select_related("organization").order_by("pk").first()
    organization = (
        pending.organization  # e.g. someone put in CC earlier, not approved yet
        if pending is not None
        else Organization.objects.filter(email_domain__iexact=domain, is_active=True).first()
    )
    if organization is None:
        raise Quarantine("unknown_sender", _("Unknown sender %(email)s.") % {"email": mail.sender})
    sender = mail.parsed.sender
    contact = contact_pending_create(
        organization=organization,
        name=db_text(sender.name if sender else ""),
        email=mail.sender,
        reason=_("Wrote to support by email"),
    )
    inbound = mail.inbound
    inbound.state, inbound.reason = State.QUARANTINED, "pending_approval"
    inbound.error = _("Held until the contact %(email)s is approved (state: %(state)s).") % {
        "email": contact.email,
        "state": contact.get_state_display(),
    }


def _open(mail, contact):
    parsed, inbound = mail.parsed, mail.inbound
    route = intake_address_for(mail.recipients, mail.intake_addresses())
    accepted, refused = _attachments(parsed)
    text = db_text(strip_signature(parsed.text_body) or parsed.subject or "-")
    subject = db_text(parsed.subject).strip() or _("(no subject)")
    ticket = ticket_open(
        by=None,
        requester=contact,
        subject=subject[:200],
        description=text + _refused_note(refused),
        channel=Channel.EMAIL,
        severity=route.severity if route else "C",
        request_type=route.request_type if route else None,
        attachments=accepted,
        team=route.team if route is not None and route.team_id else None,
        in_reply_to=db_text(parsed.message_id),  # the acknowledgement answers this message
        now=mail.now,
    )
    _authorize_cc(mail, ticket, contact)
    inbound.ticket, inbound.state = ticket, State.PROCESSED
    _tell_refused(mail, ticket, contact, refused)


def _reply(mail, ticket, contact):
    parsed, inbound = mail.parsed, mail.inbound
    inbound.ticket = ticket
    if ticket.status in FINAL:
        inbound.state, inbound.reason = State.PROCESSED, "closed_case"
        Event.objects.create(
            ticket=ticket,
            kind=Event.Kind.CHANGED,
            actor=None,
            actor_kind="system",
            after={"inbound_email": inbound.pk},
            note=_("Email received after the case was closed; not added (seed 003)."),
            created_at=mail.now,
        )
        _answer_closed(mail, ticket, contact)
        return
    accepted, refused = _attachments(parsed)
    text = db_text(visible_reply(parsed.text_body) or parsed.subject or "-")
    text += _refused_note(refused)
    try:
        message = ticket_reply_from_contact(
            ticket=ticket, contact=contact, text=text, attachments=accepted, now=mail.now
        )
    except ValidationError as error:
        if getattr(error, "code", "") in ("closed", "reopen_window"):
            inbound.state, inbound.reason = State.PROCESSED, "closed_case"
            _answer_closed(mail, ticket, contact)
            return
        raise
    _authorize_cc(mail, ticket, contact)
    inbound.ticket_message, inbound.state = message, State.PROCESSED
    _tell_refused(mail, ticket, contact, refused)


def _authorize_cc(mail, ticket, sender_contact):
    """People in CC become authorised contacts of the case (seed 003)."""
    for address in mail.parsed.cc + mail.parsed.to:
        email = db_text(address.email).lower()
        if not _valid_email(email) or email == mail.sender or _is_our_address(email, mail):
            continue
        known = contacts_by_email(email).filter(organization=ticket.organization)
        contact = known.first()
        if contact is None:
            contact = contact_pending_create(
                organization=ticket.organization,
                name=db_text(address.name),
                email=email,
                reason=_("In copy of case %(number)s") % {"number": ticket.number},
            )
        if contact.state == Contact.State.ACTIVE:
            ticket_add_participant(ticket=ticket, by=None, contact=contact, now=mail.now)


def _attachments(parsed):
    accepted, refused = [], []
    for index, attachment in enumerate(parsed.attachments):
        name = db_text(attachment.filename) or f"adjunto-{index + 1}"
        upload = SimpleUploadedFile(name, attachment.data, attachment.content_type)
        try:
            check_uploaded_file(upload)
        except UploadProblem as problem:
            refused.append((name, str(problem)))
            continue
        upload.seek(0)
        accepted.append(upload)
    return accepted, refused


def _refused_note(refused):
    if not refused:
        return ""
    lines = [f"- {name}: {reason}" for name, reason in refused]
    return "\n\n" + _("Attachments not accepted:") + "\n" + "\n".join(lines)


def _tell_refused(mail, ticket, contact, refused):
    if refused:
        email_enqueue(
            template="inbound_attachments_refused",
            to=[mail.sender],
            language=_language(contact),
            ticket=ticket,
            context={"ticket": ticket, "refused": refused},
        )


def _answer_closed(mail, ticket, contact):
    email_enqueue(
        template="inbound_closed_case",
        to=[mail.sender],
        language=_language(contact),
        ticket=ticket,
        context={"ticket": ticket, "subject": db_text(mail.parsed.subject)},
    )


def _language(contact):
    user = getattr(contact, "user", None)
    return getattr(user, "language", None)
