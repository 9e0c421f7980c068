from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from ventanilla.mail.models import OutboundEmail
from ventanilla.mail.services import email_enqueue, outbound_email_send, outbox_retry_due


@pytest.fixture
def ticket(make_ticket):
    return make_ticket()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_sent_before_commit_and_everything_after(ticket):
    mail.outbox.clear()
    with transaction.atomic():
        email_enqueue(
            template="ticket_received",
            to=["Ana@Example.es"],
            ticket=ticket,
            context={"ticket": ticket},
        )
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["ana@example.es"] and ticket.number in sent.subject
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    assert OutboundEmail.objects.get(to=["ana@example.es"]).state == OutboundEmail.State.SENT


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rolled_back_transaction_sends_nothing(ticket):
    mail.outbox.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        email_enqueue(template="ticket_received", to=["a@b.es"], context={"ticket": ticket})
        raise RuntimeError
    assert mail.outbox == [] and not OutboundEmail.objects.filter(to=["a@b.es"]).exists()


@pytest.mark.django_db
def test_email_is_rendered_in_the_recipient_language(ticket):
    spanish = email_enqueue(
        template="ticket_received", to=["a@b.es"], language="es", context={"ticket": ticket}
    )
    english = email_enqueue(
        template="ticket_received", to=["c@d.es"], language="en", context={"ticket": ticket}
    )
    assert "Hemos recibido" in spanish.subject
    assert "We have received" in english.subject


@pytest.mark.django_db
def test_failed_send_is_kept_visible_and_retried_later(ticket, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    email = email_enqueue(template="ticket_received", to=["a@b.es"], context={"ticket": ticket})
    now = timezone.now()
    outbound_email_send(email_id=email.pk, now=now)
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.FAILED and email.attempts == 1
    assert email.last_error and email.next_attempt_at > now
    outbox_retry_due(now=now)  # too early for this one
    email.refresh_from_db()
    assert email.attempts == 1
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert outbox_retry_due(now=now + timedelta(hours=1)) >= 1
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.SENT and email.attempts == 2


@pytest.mark.django_db
def test_plain_text_parts_are_not_html_escaped_but_the_html_part_is(ticket):
    ticket.subject = "Impresora de Sánchez & Hijos <planta 2>"
    email = email_enqueue(template="ticket_received", to=["a@b.es"], context={"ticket": ticket})
    assert "Sánchez & Hijos <planta 2>" in email.subject
    assert "Sánchez & Hijos <planta 2>" in email.body_text
    assert "Sánchez &amp; Hijos &lt;planta 2&gt;" in email.body_html


def test_emails_render_dates_in_the_desk_time_zone(settings, tmp_path):
    from ventanilla.mail.services import render_email

    (tmp_path / "emails").mkdir()
    for suffix, body in (("subject.txt", "s"), ("txt", "{{ when|date:'H:i' }}"), ("html", "h")):
        (tmp_path / "emails" / f"probe.{suffix}").write_text(body)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    settings.VENTANILLA_DISPLAY_TIME_ZONE = "Europe/Madrid"
    winter = timezone.datetime(2026, 12, 1, 9, 30, tzinfo=timezone.UTC)
    assert render_email("probe", {"when": winter}, "es")[1] == "10:30"


def test_case_mail_carries_reply_token_and_references(cast, make_ticket):
    from ventanilla.mail.models import OutboundEmail
    from ventanilla.mail.services import email_enqueue, reply_address

    ticket = make_ticket()
    first = OutboundEmail.objects.filter(ticket=ticket, template="ticket_received").get()
    second = email_enqueue(
        template="ticket_received", to=["a@b.test"], context={"ticket": ticket}, ticket=ticket
    )
    assert second.headers["Reply-To"] == reply_address(ticket)
    assert second.headers["In-Reply-To"] == first.message_id
    assert first.message_id in second.headers["References"].split()


@pytest.mark.django_db
def test_case_emails_link_to_the_case_itself(ticket, settings):
    email = email_enqueue(
        template="ticket_received", to=["a@b.es"], ticket=ticket, context={"ticket": ticket}
    )
    link = f"{settings.SITE_URL}/area/casos/{ticket.number}/"
    assert link in email.body_text and link in email.body_html


def _queue(ticket, to):
    return email_enqueue(template="ticket_received", to=[to], ticket=ticket, context={})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_send_task_per_transaction_sends_every_email(ticket, monkeypatch):
    from ventanilla.mail import services

    batches = []
    real = services._enqueue_send_many
    monkeypatch.setattr(
        services, "_enqueue_send_many", lambda ids: batches.append(ids) or real(ids)
    )
    mail.outbox.clear()
    with transaction.atomic():
        queued = [_queue(ticket, f"p{n}@example.es") for n in range(3)]
        assert mail.outbox == []
    assert batches == [[email.pk for email in queued]]  # one task for the three
    assert sorted(m.to[0] for m in mail.outbox) == [
        "p0@example.es",
        "p1@example.es",
        "p2@example.es",
    ]
    states = OutboundEmail.objects.filter(pk__in=[e.pk for e in queued]).values_list("state")
    assert set(states) == {(OutboundEmail.State.SENT,)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_savepoint_loses_neither_the_emails_before_nor_after_it(ticket):
    mail.outbox.clear()
    with transaction.atomic():
        _queue(ticket, "before@example.es")
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue(ticket, "inside@example.es")  # its row is rolled back: nothing to send
            raise RuntimeError
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue(ticket, "first-in-savepoint@example.es")
            raise RuntimeError
        _queue(ticket, "after@example.es")
    assert sorted(m.to[0] for m in mail.outbox) == ["after@example.es", "before@example.es"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_emails_queued_after_a_rolled_back_first_one_are_still_sent(ticket):
    mail.outbox.clear()
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            _queue(ticket, "dropped@example.es")  # registers the transaction's send, dropped
            raise RuntimeError
        _queue(ticket, "kept@example.es")
        _queue(ticket, "kept2@example.es")
    assert sorted(m.to[0] for m in mail.outbox) == ["kept2@example.es", "kept@example.es"]
    kept = [e for e in OutboundEmail.objects.all() if e.to[0].startswith("kept")]
    assert [e.state for e in kept] == [OutboundEmail.State.SENT] * 2
