"""The four ways in, against real servers: Dovecot IMAP, the aiosmtpd LMTP listener, stdin."""

import smtplib
import subprocess
import sys
from pathlib import Path

import pytest
from imap_tools import AND, MailBoxUnencrypted

from ventanilla.mail import imap, intake
from ventanilla.mail.lmtp import lmtp_controller
from ventanilla.mail.models import InboundEmail, IntakeAddress, Mailbox
from ventanilla.mail.tests.builders import make_email, minutes
from ventanilla.mail.tests.servers import PASSWORD, USER, free_port
from ventanilla.tickets.models import Ticket

LUCIA = "Lucía Gimeno <lucia@talleresebro.test>"
S = InboundEmail.State


@pytest.fixture
def support_mailbox(dovecot, monkeypatch):
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    return Mailbox.objects.create(
        name="soporte",
        host="127.0.0.1",
        port=dovecot.port,
        use_ssl=False,
        username=USER,
        password_env="TEST_IMAP_PASSWORD",
    )


def unseen(dovecot):
    with MailBoxUnencrypted("127.0.0.1", port=dovecot.port).login(USER, PASSWORD) as box:
        return [m.subject for m in box.fetch(AND(seen=False), mark_seen=False)]


def test_imap_fetch_creates_cases_and_marks_seen_after_processing(
    cast, dovecot, support_mailbox, monkeypatch
):
    dovecot.deliver(make_email(frm=LUCIA, subject="Primero", date=minutes(1)))
    dovecot.deliver(make_email(frm="nadie@desconocido.test", subject="Extraño", date=minutes(2)))
    dovecot.deliver(make_email(frm=LUCIA, subject="rompe", date=minutes(3)))
    dovecot.deliver(make_email(frm=LUCIA, subject="Segundo", date=minutes(4)))
    real_open, real_done = intake.ticket_open, imap._done
    states_when_flagged = []

    def broken(**kwargs):
        if kwargs["subject"] == "rompe":
            raise RuntimeError("boom")
        return real_open(**kwargs)

    def done(client, mailbox, uid):
        finished = InboundEmail.objects.exclude(state=S.RECEIVED).count()
        states_when_flagged.append(finished - len(states_when_flagged))
        return real_done(client, mailbox, uid)

    monkeypatch.setattr(intake, "ticket_open", broken)
    monkeypatch.setattr(imap, "_done", done)
    rows = imap.mailbox_fetch(support_mailbox)

    assert len(rows) == 4
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Primero", "Segundo"]
    by_subject = {r.subject: InboundEmail.objects.get(pk=r.pk) for r in rows}
    assert by_subject["Extraño"].reason == "unknown_sender"
    assert by_subject["rompe"].state == S.QUARANTINED and "boom" in by_subject["rompe"].error
    assert min(states_when_flagged) >= 1  # each flag came after one more message finished
    assert unseen(dovecot) == []
    assert imap.mailbox_fetch(support_mailbox) == []  # nothing fetched twice


def test_imap_message_that_cannot_be_stored_stays_unseen(
    cast, dovecot, support_mailbox, monkeypatch
):
    dovecot.deliver(make_email(frm=LUCIA, subject="Guardar falla", date=minutes(1)))
    dovecot.deliver(make_email(frm=LUCIA, subject="Guardar bien", date=minutes(2)))
    real_store = imap.inbound_store

    def store(raw, *args, **kwargs):
        if b"Guardar falla" in raw:
            raise ConnectionError("database down")
        return real_store(raw, *args, **kwargs)

    monkeypatch.setattr(imap, "inbound_store", store)
    imap.mailbox_fetch(support_mailbox)
    assert unseen(dovecot) == ["Guardar falla"]
    monkeypatch.setattr(imap, "inbound_store", real_store)
    imap.mailbox_fetch(support_mailbox)
    assert unseen(dovecot) == []
    assert Ticket.objects.count() == 2


def test_imap_can_move_processed_mail(cast, dovecot, support_mailbox):
    with MailBoxUnencrypted("127.0.0.1", port=dovecot.port).login(USER, PASSWORD) as box:
        box.folder.create("Procesados")
    support_mailbox.move_to = "Procesados"
    support_mailbox.save()
    dovecot.deliver(make_email(frm=LUCIA))
    imap.mailbox_fetch(support_mailbox)
    with MailBoxUnencrypted("127.0.0.1", port=dovecot.port).login(USER, PASSWORD) as box:
        assert box.uids() == []
        box.folder.set("Procesados")
        assert len(box.uids()) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_lmtp_delivery_is_stored_and_processed():
    from ventanilla.testing.cast import build_cast

    build_cast()
    # a flush by an earlier transactional test may have removed the migration's rows
    IntakeAddress.objects.get_or_create(address="a@soporte.localhost", defaults={"severity": "A"})
    port = free_port()
    controller = lmtp_controller(port=port)
    controller.start()
    try:
        with smtplib.LMTP("127.0.0.1", port) as client:
            refused = client.sendmail(
                "lucia@talleresebro.test",
                ["a@soporte.localhost"],
                make_email(frm=LUCIA, to="a@soporte.localhost", subject="Caída total"),
            )
    finally:
        controller.stop()
    assert refused == {}
    row = InboundEmail.objects.get()
    assert (row.source, row.state, row.envelope_to) == (
        "lmtp",
        S.PROCESSED,
        ["a@soporte.localhost"],
    )
    assert row.ticket.severity == "A"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mail_receive_reads_one_message_from_stdin(tmp_path):
    """A real subprocess, like Postfix's pipe transport, against a file database."""
    database = tmp_path / "pipe.sqlite3"
    env = {"VENTANILLA_SQLITE_PATH": str(database), "VENTANILLA_ENV": "test", "PATH": "/usr/bin"}
    manage = [sys.executable, str(Path(__file__).parents[3] / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)  # noqa: S603
    raw = make_email(frm="quien@desconocido.test")
    result = subprocess.run(  # noqa: S603
        [*manage, "mail_receive"], input=raw, env=env, capture_output=True, check=True
    )
    assert result.stdout.decode().split()[1:] == ["quarantined", "unknown_sender"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_imap_flags_a_message_only_once_its_outcome_is_committed(dovecot, monkeypatch):
    """Seen from another database connection when the flag is set: the outcome is committed."""
    import threading

    from django.db import connection

    from ventanilla.testing.cast import build_cast

    build_cast()
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    mailbox = Mailbox.objects.create(
        name="soporte",
        host="127.0.0.1",
        port=dovecot.port,
        use_ssl=False,
        username=USER,
        password_env="TEST_IMAP_PASSWORD",
    )
    for n in range(3):
        dovecot.deliver(make_email(frm=LUCIA, subject=f"Mensaje {n}", date=minutes(n)))
    real_process, real_done = imap.inbound_process, imap._done
    last, seen_elsewhere = [], []

    def process(inbound_id, **kwargs):
        last.append(inbound_id)
        return real_process(inbound_id, **kwargs)

    def committed_state(inbound_id):
        try:
            seen_elsewhere.append(InboundEmail.objects.get(pk=inbound_id).state)
        finally:
            connection.close()

    def done(client, box, uid):
        thread = threading.Thread(target=committed_state, args=(last[-1],))
        thread.start()
        thread.join()
        return real_done(client, box, uid)

    monkeypatch.setattr(imap, "inbound_process", process)
    monkeypatch.setattr(imap, "_done", done)
    imap.mailbox_fetch(mailbox)
    assert seen_elsewhere == [S.PROCESSED] * 3
    assert unseen(dovecot) == []


# ---- intake ---- IMAP in batches (VENTANILLA_INTAKE_BATCH > 1, as in production)


def test_imap_in_batches_quarantines_a_bad_message_and_flags_each_batch_once_committed(
    cast, dovecot, support_mailbox, monkeypatch, settings
):
    settings.VENTANILLA_INTAKE_BATCH = 3
    subjects = ["Uno", "Dos", "rompe", "Cuatro", "Cinco"]
    for n, subject in enumerate(subjects):
        dovecot.deliver(make_email(frm=LUCIA, subject=subject, date=minutes(n)))
    real_open, real_done = intake.ticket_open, imap._done
    unfinished_when_flagged = []

    def broken(**kwargs):
        if kwargs["subject"] == "rompe":
            raise RuntimeError("boom")
        return real_open(**kwargs)

    def done(client, mailbox, uid):
        unfinished_when_flagged.append(InboundEmail.objects.filter(state=S.RECEIVED).count())
        return real_done(client, mailbox, uid)

    monkeypatch.setattr(intake, "ticket_open", broken)
    monkeypatch.setattr(imap, "_done", done)
    rows = imap.mailbox_fetch(support_mailbox)

    assert len(rows) == 5
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(
        ["Uno", "Dos", "Cuatro", "Cinco"]
    )
    bad = InboundEmail.objects.get(subject="rompe")
    assert (bad.state, bad.reason) == (S.QUARANTINED, "error") and bytes(bad.raw)
    # all five stored first; the first batch (3) was committed before its 3 flags, the second
    # batch (2, still waiting then) before its own 2
    assert unfinished_when_flagged == [2, 2, 2, 0, 0]
    assert unseen(dovecot) == []


def test_imap_batch_that_cannot_be_stored_is_stored_one_by_one(
    cast, dovecot, support_mailbox, monkeypatch, settings
):
    settings.VENTANILLA_INTAKE_BATCH = 10
    dovecot.deliver(make_email(frm=LUCIA, subject="Guardar falla", date=minutes(1)))
    dovecot.deliver(make_email(frm=LUCIA, subject="Guardar bien", date=minutes(2)))
    real_store = imap.inbound_store

    def store_batch(raws, *args, **kwargs):
        raise ConnectionError("database down")

    def store(raw, *args, **kwargs):
        if b"Guardar falla" in raw:
            raise ConnectionError("database down")
        return real_store(raw, *args, **kwargs)

    monkeypatch.setattr(imap, "inbound_store_batch", store_batch)
    monkeypatch.setattr(imap, "inbound_store", store)
    imap.mailbox_fetch(support_mailbox)
    assert unseen(dovecot) == ["Guardar falla"]
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["Guardar bien"]
