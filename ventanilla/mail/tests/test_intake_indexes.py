"""Email intake stays flat as the database grows (issue 7): on PostgreSQL, every lookup that each
incoming message makes on the big tables (incoming and outgoing mail, cases) is served by an index.

Sequential scans are switched off for the check, so the plan shows whether an index exists that
fits the lookup (on a small table the planner would pick a scan anyway). Dropping one of these
indexes, or writing the lookup so that it cannot use one, makes this test fail."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ventanilla.mail import intake

LOOKUPS = {
    "incoming Message-ID": ("mail_inboundemail", lambda t: intake.inbound_ticket_ids("x@y")),
    "our Message-ID": ("mail_outboundemail", lambda t: intake.outbound_ticket_ids("x@y")),
    "case number": ("tickets_ticket", lambda t: intake.ticket_ids_by_number("c/2026/1")),
    "candidate case": (
        "tickets_ticket",
        lambda t: intake.ticket_of_organizations(t.pk, [t.organization_id]),
    ),
    "flood window": (
        "mail_inboundemail",
        lambda t: intake.recent_from_sender("a@b.test", timezone.now() - timedelta(hours=1), 1),
    ),
    # ---- intake ---- the same lookups made once for a batch of messages
    "incoming Message-IDs of a batch": (
        "mail_inboundemail",
        lambda t: intake.inbound_ticket_ids_of(["x@y", "z@y"]),
    ),
    "our Message-IDs of a batch": (
        "mail_outboundemail",
        lambda t: intake.outbound_ticket_ids_of(["x@y", "z@y"]),
    ),
    "case numbers of a batch": (
        "tickets_ticket",
        lambda t: intake.ticket_ids_by_numbers(["C/2026/1", "C/2026/2"]),
    ),
    "flood window of a batch": (
        "mail_inboundemail",
        lambda t: intake.flood_counts(
            ["a@b.test", "c@d.test"], timezone.now() - timedelta(hours=1), [1, 2]
        ),
    ),
}


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("name", LOOKUPS)
def test_intake_lookup_uses_an_index(cast, make_ticket, name):
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL")
    table, lookup = LOOKUPS[name]
    ticket = make_ticket()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = lookup(ticket).explain()
    lines = [line for line in plan.splitlines() if table in line]
    assert lines, plan
    assert not any("Seq Scan" in line for line in lines), plan
    assert any("Index" in line for line in lines), plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_sender_lookup_uses_the_contact_email_index(cast):
    """Every message looks its sender up among the contacts, whatever the case of the address:
    served by `contact_email_upper_idx` on PostgreSQL and on SQLite (not a scan of contacts)."""
    lookup = intake.contacts_by_email("Cliente@Example.TEST").filter(state="active")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = lookup.explain()
    assert "contact_email_upper_idx" in plan, plan
    assert "Seq Scan" not in plan and "SCAN organizations_contact" not in plan, plan


@pytest.mark.django_db
def test_the_sender_lookup_ignores_the_case_of_the_address(cast):
    contact = cast.customer.contact
    found = intake.contacts_by_email(contact.email.upper()).filter(pk=contact.pk)
    assert list(found) == [contact]
    assert not intake.contacts_by_email("x" + contact.email).filter(pk=contact.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_senders_of_a_batch_are_looked_up_through_the_contact_email_index(cast):
    """A batch looks all its senders up at once (`UPPER(email) IN (…)`): the same index. With a
    handful of contacts PostgreSQL prefers the (organization, state) index for a list of
    addresses; with contacts in the thousands (and statistics) it takes the email index."""
    from ventanilla.organizations.models import Contact

    organization = cast.orgs["a"]
    Contact.objects.bulk_create(
        Contact(organization=organization, name=f"C {n}", email=f"c{n}@example.test")
        for n in range(3000)
    )
    lookup = intake.active_contacts_by_emails(["CLIENTE@EXAMPLE.TEST", "OTRO@EXAMPLE.TEST"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE organizations_contact")
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = lookup.explain()
    assert "contact_email_upper_idx" in plan, plan
    assert "Seq Scan" not in plan and "SCAN organizations_contact" not in plan, plan
