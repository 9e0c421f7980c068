"""Email intake in batches (issue 7, round 3): K stored messages processed in one transaction, a
savepoint each. A message that fails in the middle of a batch is quarantined with its raw bytes
and never blocks the others; the outcome of every message is the one it gets one at a time."""

import pytest
from django.core import mail as django_mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ventanilla.mail import intake
from ventanilla.mail.intake import (
    inbound_process_pending,
    inbound_receive,
    inbound_receive_batch,
    inbound_reprocess_now,
    inbound_store,
)
from ventanilla.mail.models import InboundEmail, IntakeAddress, OutboundEmail
from ventanilla.mail.stamps import config_changed, forget_transaction_memo, stamp_token
from ventanilla.mail.tests.builders import make_email, minutes
from ventanilla.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db
LUCIA = "Lucía Gimeno <lucia@talleresebro.test>"
MARCOS = "marcos@talleresebro.test"
S = InboundEmail.State


def opener(n, frm=LUCIA, **kwargs):
    return make_email(
        frm=frm,
        subject=f"Caso {n}",
        message_id=f"<batch-{n}@ebro.test>",
        date=minutes(n),
        **kwargs,
    )


def batch(raws):
    return inbound_receive_batch(raws, InboundEmail.Source.IMAP)


def test_a_bad_message_in_the_middle_of_a_batch_is_quarantined_and_blocks_nothing(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    real = intake.ticket_open

    def broken(**kwargs):
        if "rompe" in kwargs["subject"]:
            # after writing: the savepoint must take back what the failing message wrote
            real(**kwargs)
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(intake, "ticket_open", broken)
    raws = [opener(n) for n in range(5)]
    raws[2] = make_email(frm=LUCIA, subject="esto rompe", message_id="<bad@ebro.test>")
    with django_capture_on_commit_callbacks(execute=True):
        rows = batch(raws)

    assert [row.state for row in rows] == [S.PROCESSED] * 2 + [S.QUARANTINED] + [S.PROCESSED] * 2
    bad = InboundEmail.objects.get(message_id="bad@ebro.test")
    assert (bad.state, bad.reason, bad.attempts) == (S.QUARANTINED, "error", 1)
    assert "RuntimeError: boom" in bad.error
    assert bytes(bad.raw) == raws[2]  # raw kept for a supervisor
    assert bad.ticket_id is None and bad.ticket_message_id is None
    # what the failing message wrote before failing is gone, the others' cases are kept
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        f"Caso {n}" for n in (0, 1, 3, 4)
    ]
    assert not OutboundEmail.objects.filter(subject__contains="rompe").exists()
    kept = InboundEmail.objects.filter(state=S.PROCESSED)
    assert sorted(kept.values_list("ticket__subject", flat=True)) == [
        f"Caso {n}" for n in (0, 1, 3, 4)
    ]
    # the emails of the kept messages were sent after the commit (the rolled-back ones not)
    assert len(django_mail.outbox) == OutboundEmail.objects.count() > 0
    assert all("rompe" not in sent.subject for sent in django_mail.outbox)

    monkeypatch.setattr(intake, "ticket_open", real)
    assert inbound_reprocess_now(inbound=bad).state == S.PROCESSED
    assert Ticket.objects.count() == 5


def test_held_and_unknown_senders_in_a_batch_get_their_own_outcome(cast):
    raws = [
        opener(0),
        make_email(frm="nadie@desconocido.test", message_id="<u@x.test>", date=minutes(1)),
        make_email(frm="nuevo@talleresebro.test", message_id="<p@x.test>", date=minutes(2)),
        make_email(frm=LUCIA, subject="Caso auto", headers={"Auto-Submitted": "auto-replied"}),
        opener(4),
    ]
    rows = batch(raws)
    assert [(row.state, row.reason) for row in rows] == [
        (S.PROCESSED, ""),
        (S.QUARANTINED, "unknown_sender"),
        (S.QUARANTINED, "pending_approval"),
        (S.IGNORED, "automated"),
        (S.PROCESSED, ""),
    ]
    # as one at a time: a quarantine decided by intake is not a failed attempt
    assert [row.attempts for row in rows] == [1, 0, 1, 1, 1]
    assert Ticket.objects.count() == 2


def test_a_batch_is_processed_as_one_message_at_a_time_would_be(cast):
    """Threads inside the batch (a reply stored before its opener, a reply by case number to a
    case of the same batch), duplicates in the batch and before it."""
    first = inbound_receive(opener(0), InboundEmail.Source.PIPE)
    ack = OutboundEmail.objects.get(ticket=first.ticket, template="ticket_received")
    raws = [
        make_email(  # answers opener 1 of this same batch; dated after it
            frm=LUCIA,
            subject="Re: Caso 1",
            body="Sigue igual",
            in_reply_to="<batch-1@ebro.test>",
            message_id="<r1@ebro.test>",
            date=minutes(30),
        ),
        opener(1),
        opener(0),  # stored before this batch: that row comes back, processed once
        make_email(  # our acknowledgement of a case opened before the batch
            frm=MARCOS,
            subject="Re: x",
            body="Gracias",
            in_reply_to=ack.message_id,
            message_id="<r0@ebro.test>",
            date=minutes(31),
        ),
        opener(1),  # twice in the batch: stored once
    ]
    rows = batch(raws)
    assert rows[2].pk == first.pk and rows[4].pk == rows[1].pk
    assert InboundEmail.objects.count() == 4
    assert rows[1].state == S.PROCESSED and rows[1].ticket is not None
    assert rows[0].ticket_id == rows[1].ticket_id and rows[0].ticket_message_id
    assert rows[3].ticket_id == first.ticket_id and rows[3].ticket_message_id
    assert Ticket.objects.count() == 2
    assert Message.objects.filter(ticket=rows[1].ticket, body_text="Sigue igual").exists()


def test_the_flood_limit_counts_as_one_message_at_a_time(cast, settings):
    settings.VENTANILLA_INTAKE_FLOOD_PER_HOUR = 3
    rows = batch([opener(n) for n in range(5)])
    assert [row.state for row in rows] == [S.PROCESSED] * 3 + [S.QUARANTINED] * 2
    assert rows[-1].reason == "flood"
    assert rows[-1].attempts == 0  # a quarantine decided by intake is not a failed attempt


def test_leftovers_of_a_crash_are_processed_in_batches(cast, settings):
    settings.VENTANILLA_INTAKE_BATCH = 2
    stored = [inbound_store(opener(n), InboundEmail.Source.PIPE)[0] for n in range(5)]
    assert inbound_process_pending() == 5
    assert set(
        InboundEmail.objects.filter(pk__in=[r.pk for r in stored]).values_list("state", flat=True)
    ) == {S.PROCESSED}
    assert Ticket.objects.count() == 5


def test_a_failing_batch_transaction_falls_back_to_one_message_at_a_time(cast, monkeypatch):
    def broken_write(self):
        raise RuntimeError("database went away at the end of the batch")

    monkeypatch.setattr(intake._Batch, "write", broken_write)
    rows = batch([opener(n) for n in range(3)])
    assert [row.state for row in rows] == [S.PROCESSED] * 3
    assert Ticket.objects.count() == 3  # the batch's work was rolled back, then done once
    assert InboundEmail.objects.filter(state=S.PROCESSED).count() == 3


def test_a_batch_reads_its_lookups_once(cast):
    """The per-message reads that depend on configuration or can be asked for all messages at
    once are read once per batch, whatever its size."""
    inbound_receive(opener(100), InboundEmail.Source.PIPE)  # warm the caches

    def reads(size, start):
        raws = [opener(start + n, frm=(LUCIA, MARCOS)[n % 2]) for n in range(size)]
        forget_transaction_memo()  # served, each batch is a transaction of its own
        with CaptureQueriesContext(connection) as queries:
            rows = batch(raws)
        assert all(row.state == S.PROCESSED for row in rows)
        sqls = [q["sql"] for q in queries.captured_queries]
        return {
            "stamp": sum("mail_configstamp" in sql for sql in sqls),
            "flood": sum("COUNT(" in sql and "mail_inboundemail" in sql for sql in sqls),
            "contacts": sum('FROM "organizations_contact"' in sql for sql in sqls),
            "store": sum(sql.startswith('INSERT INTO "mail_inboundemail"') for sql in sqls),
        }

    assert reads(2, 0) == reads(8, 10) == {"stamp": 1, "flood": 1, "contacts": 1, "store": 1}


def test_a_configuration_change_in_the_transaction_is_followed(db):
    """The stamp is read once per transaction (a batch is one), and a change made inside it is
    followed at once."""
    forget_transaction_memo()  # the test's own transaction has read it already
    token = stamp_token()
    forget_transaction_memo()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        assert stamp_token() == token
        assert stamp_token() == token
        stamp_reads = [q for q in queries.captured_queries if "mail_configstamp" in q["sql"]]
        assert len(stamp_reads) == 1
        IntakeAddress.objects.create(address="z@soporte.localhost", severity="A")
        assert stamp_token() != token
        assert "z@soporte.localhost" in intake.intake_addresses()
    config_changed()
    assert stamp_token() != token
