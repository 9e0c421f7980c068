"""Mailgun inbound webhook (django-anymail), with Mailgun's real form fields and signature."""

import hashlib
import hmac
import time

from django.urls import reverse

from ventanilla.mail.models import InboundEmail
from ventanilla.mail.tests.builders import make_email

KEY = "test-signing-key"


def signed(fields, key=KEY):
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {**fields, "timestamp": timestamp, "token": token, "signature": signature}


def mailgun_fields(raw):
    # What a Mailgun route `forward()` to a .../mime URL posts (multipart form)
    return {
        "recipient": "b@soporte.localhost",
        "sender": "lucia@talleresebro.test",
        "from": "Lucía Gimeno <lucia@talleresebro.test>",
        "subject": "Error al recibir llamadas externas en Teams",
        "body-mime": raw.decode("utf-8"),
        "message-headers": "[]",
    }


def test_signed_mailgun_post_opens_a_case(cast, client, settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    raw = make_email(frm="Lucía Gimeno <lucia@talleresebro.test>", to="b@soporte.localhost")
    response = client.post(reverse("mail_inbound_mailgun"), signed(mailgun_fields(raw)))
    assert response.status_code == 200
    row = InboundEmail.objects.get()
    assert (row.source, row.state, row.envelope_to) == (
        "webhook",
        "processed",
        ["b@soporte.localhost"],
    )
    assert row.ticket.severity == "B"


def test_parsed_fields_without_raw_mime_also_work(cast, client, settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    fields = {
        "recipient": "a@soporte.localhost",
        "sender": "lucia@talleresebro.test",
        "from": "Lucía Gimeno <lucia@talleresebro.test>",
        "To": "a@soporte.localhost",
        "subject": "Caída total",
        "body-plain": "No funciona nada.",
        "message-headers": '[["From", "Luc\\u00eda Gimeno <lucia@talleresebro.test>"],'
        ' ["To", "a@soporte.localhost"], ["Subject", "Ca\\u00edda total"],'
        ' ["Message-Id", "<parsed-1@ebro.test>"]]',
    }
    response = client.post(reverse("mail_inbound_mailgun"), signed(fields))
    assert response.status_code == 200
    row = InboundEmail.objects.get()
    assert row.ticket.severity == "A" and row.message_id == "parsed-1@ebro.test"


def test_wrong_signature_is_refused_and_nothing_stored(cast, client, settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": KEY}
    raw = make_email(frm="lucia@talleresebro.test")
    response = client.post(
        reverse("mail_inbound_mailgun"), signed(mailgun_fields(raw), key="forged")
    )
    assert response.status_code == 400
    assert not InboundEmail.objects.exists()


def test_without_a_signing_key_the_webhook_does_not_exist(cast, client, settings):
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": ""}
    raw = make_email(frm="lucia@talleresebro.test")
    response = client.post(reverse("mail_inbound_mailgun"), signed(mailgun_fields(raw), key=""))
    assert response.status_code == 404
