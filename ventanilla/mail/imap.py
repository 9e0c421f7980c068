"""IMAP polling (imap-tools): fetch unseen messages, store and process them, and only then mark
them seen (or move them). A message whose storing fails stays unseen and is fetched again."""

import logging
import os

from django.utils import timezone
from imap_tools import AND, MailBox, MailBoxUnencrypted, MailMessageFlags

from ventanilla.mail.intake import inbound_process, inbound_store
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
        stored = []
        for uid in uids:
            raw = _raw_message(client, uid)
            if raw is None:
                continue
            try:
                row, _ = inbound_store(raw, InboundEmail.Source.IMAP, detail=mailbox.name)
            except Exception:  # database down: leave it unseen, it comes back next time
                log.exception("could not store IMAP message %s of %s", uid, mailbox.name)
                continue
            stored.append((uid, row))
        ordered = sorted(stored, key=lambda item: item[1].sent_at or item[1].received_at)
        for uid, row in ordered:
            # commits (or quarantines) before the flag below
            inbound_process(row.pk, parsed=getattr(row, "parsed", None))
            _done(client, mailbox, uid)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_fetch_at=timezone.now(), last_error="")
    return [row for _, row in stored]


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
