"""IMAP polling (imap-tools): fetch unseen messages, store and process them, and only then mark
them seen (or move them). A message whose storing fails stays unseen and is fetched again.

Messages are stored and processed in batches of VENTANILLA_INTAKE_BATCH (one transaction each,
a savepoint per message: `inbound_store_batch`, `inbound_process_batch`); a batch's messages are
marked seen once its transaction has committed."""

import logging
import os

from django.utils import timezone
from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessageFlags

from ventanilla.mail.intake import (
    batch_size,
    inbound_process,
    inbound_process_batch,
    inbound_store,
    inbound_store_batch,
)
from ventanilla.mail.models import InboundEmail, Mailbox

log = logging.getLogger(__name__)
BATCH = 200


def mailbox_fetch(mailbox, *, limit=BATCH):
    """Fetch one mailbox. Returns the stored rows (new or already known)."""
    password = os.environ.get(mailbox.password_env, "")
    client_class = MailBox if mailbox.use_ssl else MailBoxUnencrypted
    with client_class(mailbox.host, port=mailbox.port).login(
        mailbox.username, password, initial_folder=mailbox.folder
    ) as client:
        uids = client.uids(AND(seen=False))[:limit]
        fetched = [(uid, raw) for uid in uids if (raw := _raw_message(client, uid)) is not None]
        size, stored = batch_size(), []
        for start in range(0, len(fetched), size):
            stored += _store(fetched[start : start + size], mailbox)
        ordered = sorted(stored, key=lambda item: item[1].sent_at or item[1].received_at)
        for start in range(0, len(ordered), size):
            chunk = ordered[start : start + size]
            _process(row for _, row in chunk)  # commits (or quarantines) before the flags
            for uid, _row in chunk:
                _done(client, mailbox, uid)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_fetch_at=timezone.now(), last_error="")
    return [row for _, row in stored]


def _store(chunk, mailbox):
    """[(uid, row)] of the messages stored: a batch in one transaction; if that fails, one by
    one, so that only a message that cannot be stored stays unseen (fetched again next time)."""
    source = InboundEmail.Source.IMAP
    if len(chunk) > 1:
        try:
            rows = inbound_store_batch([raw for _, raw in chunk], source, detail=mailbox.name)
            return list(zip([uid for uid, _ in chunk], rows, strict=True))
        except Exception:
            log.exception("could not store a batch of IMAP messages of %s", mailbox.name)
    stored = []
    for uid, raw in chunk:
        try:
            row, _ = inbound_store(raw, source, detail=mailbox.name)
        except Exception:  # database down: leave it unseen, it comes back next time
            log.exception("could not store IMAP message %s of %s", uid, mailbox.name)
            continue
        stored.append((uid, row))
    return stored


def _process(rows):
    """One transaction for the stored messages of a batch (one by one with a batch of 1)."""
    pending = {row.pk: row for row in rows if row.state == InboundEmail.State.RECEIVED}
    if len(pending) == 1:
        row = next(iter(pending.values()))
        inbound_process(row.pk, parsed=getattr(row, "parsed", None))
    elif pending:
        inbound_process_batch(pending.values())


def _raw_message(client, uid):
    status, data = client.client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _done(client, mailbox, uid):
    if mailbox.move_to:
        client.move(uid, mailbox.move_to)
    else:
        client.flag(uid, MailMessageFlags.SEEN, True)


def mailboxes_fetch():
    """Every active mailbox; one failing mailbox never stops the others."""
    total = 0
    for mailbox in Mailbox.objects.filter(is_active=True):
        try:
            total += len(mailbox_fetch(mailbox))
        except Exception as error:
            log.warning("IMAP mailbox %s failed: %s", mailbox.name, error)
            Mailbox.objects.filter(pk=mailbox.pk).update(last_error=str(error)[:2000])
    return total
