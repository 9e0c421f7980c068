"""Emails rendered by the worker at send time (branch create, docs/perf-writes.md): opening a
case queues the acknowledgement and the agents' notice without rendering them; what is sent must
be exactly what rendering at queue time gave: subject, both bodies, recipients, language."""

import pytest
from django.core import mail
from django.db import connection

from ventanilla.mail.models import OutboundEmail
from ventanilla.mail.services import email_enqueue
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def _eager(row, ticket, context, language):
    """The same email rendered now, the way every email was before (render_later=False)."""
    return email_enqueue(
        template=row.template, to=row.to, context=context, language=language, ticket=ticket
    )


@pytest.mark.parametrize("customer_language", ["es", "en"])
def test_the_opening_emails_sent_are_the_ones_rendered_at_queue_time(
    cast, make_ticket, django_capture_on_commit_callbacks, customer_language
):
    customer = cast.customer
    customer.language = customer_language
    customer.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # commit: the send task runs
        opened = make_ticket()
    ticket = Ticket.objects.get(pk=opened.pk)
    rows = {row.template: row for row in OutboundEmail.objects.filter(ticket=ticket)}
    assert set(rows) == {"ticket_received", "agent_new_case"}
    sent = {message.extra_headers["Message-ID"]: message for message in mail.outbox}
    assert len(sent) == 2

    agent = cast.agent_l1
    expected = {
        "ticket_received": ({"ticket": ticket}, customer_language),
        "agent_new_case": ({"ticket": ticket, "recipient": agent}, agent.language),
    }
    for template, (context, language) in expected.items():
        row = rows[template]
        message = sent[row.message_id]
        eager = _eager(row, ticket, context, language)
        assert message.subject == eager.subject and message.subject
        assert message.body == eager.body_text
        assert message.alternatives[0].content == eager.body_html
        assert message.to == row.to == eager.to
        # Sent: the text that went out is kept on the row, and nothing is left to render.
        stored = OutboundEmail.objects.filter(pk=row.pk).values(
            "state", "render_spec", "subject", "body_text", "body_html"
        )[0]
        assert stored["state"] == OutboundEmail.State.SENT and stored["render_spec"] is None
        assert (stored["subject"], stored["body_text"], stored["body_html"]) == (
            eager.subject,
            eager.body_text,
            eager.body_html,
        )
    received = sent[rows["ticket_received"].message_id]
    assert received.to == [customer.email]
    words = "We have received" if customer_language == "en" else "Hemos recibido"
    assert words in received.subject and ticket.number in received.subject
    assert rows["agent_new_case"].to == [agent.email]
    assert "Nuevo caso" in sent[rows["agent_new_case"].message_id].subject  # the agent's es


def test_a_queued_email_reads_as_it_will_be_sent(cast, make_ticket):
    ticket = make_ticket()  # not committed: nothing sent, nothing rendered yet
    row = OutboundEmail.objects.get(ticket=ticket, template="ticket_received")
    stored = OutboundEmail.objects.filter(pk=row.pk).values_list("subject", "body_text")[0]
    assert stored == ("", "")  # the request rendered no template
    assert row.render_spec["context"]["ticket"] == {"model": "tickets.ticket", "pk": ticket.pk}
    assert ticket.number in row.subject  # rendered on read, for any reader (admin, tests)
    assert f"/area/casos/{ticket.number}/" in row.body_text
    assert f"/area/casos/{ticket.number}/" in row.body_html
    row.refresh_from_db()
    assert ticket.number in row.subject  # still rendered after a reload


def test_a_context_that_cannot_be_named_by_value_is_rendered_at_once(cast, make_ticket):
    ticket = make_ticket()
    row = email_enqueue(
        template="ticket_status",
        to=["a@b.es"],
        ticket=ticket,
        context={"ticket": ticket, "from_status": Status(Status.WAITING_FOR_SUPPORT)},
        render_later=True,
    )
    assert row.render_spec is None
    assert OutboundEmail.objects.filter(pk=row.pk).values_list("subject", flat=True)[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 document")
def test_the_new_case_search_document_is_the_one_rebuilt_from_the_rows(cast, make_ticket):
    from ventanilla.tickets.search import FTS_TABLE, search_index_ticket

    ticket = make_ticket(subject="Configuración de la impresora", description="  No imprime. ")

    def document():
        with connection.cursor() as cursor:
            sql = f"SELECT visible, internal FROM {FTS_TABLE} WHERE rowid = %s"  # noqa: S608 (a constant)
            cursor.execute(sql, [ticket.pk])
            return cursor.fetchall()

    written = document()
    assert len(written) == 1 and "impresor" in written[0][0]
    search_index_ticket(ticket.pk)
    assert document() == written


def test_opening_writes_its_emails_and_their_send_task_in_its_own_transaction(
    cast, make_ticket, settings, django_capture_on_commit_callbacks
):
    """With the database task backend (production), the acknowledgement and the agents' notice
    are one INSERT and their send task a row of the same transaction: nothing is left for after
    the commit, and the worker cannot see the task before the commit."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks() as hooks:
        ticket = make_ticket()
    ids = sorted(OutboundEmail.objects.filter(ticket=ticket).values_list("pk", flat=True))
    assert len(ids) == 2
    task = DBTaskResult.objects.get()  # written before the commit, with both ids
    assert task.task_path.endswith("send_outbound_emails")
    assert sorted(task.args_kwargs["args"][0]) == ids
    assert not [hook for hook in hooks if "Send" in type(hook).__name__]
