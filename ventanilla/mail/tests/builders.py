"""Real-looking raw messages for intake tests, the crash test and the benchmark."""

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

BASE_DATE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def make_email(
    *,
    frm,
    to="c@soporte.localhost",
    subject="Error al recibir llamadas externas en Teams",
    body="No podemos recibir llamadas externas desde esta mañana.",
    message_id=None,
    in_reply_to=None,
    references=None,
    cc=None,
    date=None,
    headers=None,
    attachments=(),
    html=None,
):
    message = EmailMessage()
    message["From"] = frm
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = format_datetime(date or BASE_DATE)
    if message_id is not False:
        message["Message-ID"] = (
            message_id or f"<{abs(hash((frm, subject, body, str(date))))}@cliente.test>"
        )
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    if html:
        message.add_alternative(html, subtype="html")
    for filename, data, mime in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def minutes(n):
    return BASE_DATE + timedelta(minutes=n)
