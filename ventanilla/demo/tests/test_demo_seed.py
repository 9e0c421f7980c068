import random
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ventanilla.accounts.models import User
from ventanilla.demo import files
from ventanilla.demo.builder import build_demo
from ventanilla.demo.data import DEMO_CODES, DEMO_PASSWORD, ORGANIZATIONS
from ventanilla.demo.stories import status_counts
from ventanilla.lib.taxid import tax_id_kind
from ventanilla.lib.uploads import check_uploaded_file
from ventanilla.mail.models import OutboundEmail
from ventanilla.organizations.models import Contact, Organization
from ventanilla.staff.models import Agent, Team
from ventanilla.tickets.models import Attachment, Event, Message, Participant, Ticket
from ventanilla.tickets.workflow import Status

SMALL = 18  # cases per test run: two per status on average, fast


def seed(tickets=SMALL):
    out = StringIO()
    call_command("demo_seed", "--tickets", str(tickets), "--no-progress", stdout=out)
    return out.getvalue()


def counts():
    models = (
        *(User, Organization, Contact, Agent, Team),
        *(Ticket, Message, Event, Attachment, Participant, OutboundEmail),
    )
    return {model.__name__: model.objects.count() for model in models}


def snapshot():
    fields = ("number", "subject", "status", "channel", "requester__email", "assignee__email")
    return list(Ticket.objects.order_by("number").values_list(*fields))


def printed_logins(output):
    """(profile, email, password) of each row of the printed table."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in output.splitlines() if "@" in line]
    return [tuple(row[:3]) for row in rows]


@pytest.mark.django_db
def test_running_twice_creates_nothing_new_and_prints_the_logins_again():
    first = seed()
    before = counts()
    second = seed()
    assert counts() == before
    assert "ya existen" in second
    assert printed_logins(first) == printed_logins(second)


@pytest.mark.django_db
def test_the_same_clock_gives_the_same_demo():
    now = timezone.now()
    with transaction.atomic():
        build_demo(tickets=SMALL, now=now)
        first = snapshot()
        transaction.set_rollback(True)
    build_demo(tickets=SMALL, now=now)
    assert snapshot() == first


@pytest.mark.django_db
def test_cases_end_in_every_status_and_span_the_last_six_months():
    seed()
    tickets = Ticket.objects.all()
    assert tickets.count() == SMALL
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    now = timezone.now()
    assert not tickets.filter(last_activity_at__gt=now).exists()
    assert not tickets.filter(created_at__lt=now - timedelta(days=184)).exists()
    assert tickets.filter(created_at__lt=now - timedelta(days=30)).exists()


@pytest.mark.django_db
def test_organizations_people_and_staff_cover_every_role_state_and_kind():
    seed()
    for organization in Organization.objects.filter(code__in=DEMO_CODES):
        assert tax_id_kind(organization.tax_id) == "CIF"
        assert organization.email_domain.endswith((".test", ".example"))
    contacts = Contact.objects.filter(organization__code__in=DEMO_CODES)
    assert set(contacts.values_list("role", flat=True)) == set(Contact.Role.values)
    states = set(contacts.values_list("state", flat=True))
    assert {Contact.State.ACTIVE, Contact.State.PENDING, Contact.State.REJECTED} <= states
    assert contacts.filter(state=Contact.State.PENDING, user__isnull=True).exists()
    assert contacts.filter(state=Contact.State.REJECTED, decided_by__isnull=False).exists()
    for kind in ("is_billing", "is_quotes", "is_technical"):
        assert contacts.filter(**{kind: True}).exists()
    assert set(Agent.objects.values_list("role", flat=True)) == set(Agent.Role.values)
    assert set(Team.objects.values_list("tier", flat=True)) == {1, 2, 3}
    alacena = Organization.objects.get(code=ORGANIZATIONS[0]["code"])
    assert alacena.regions.count() >= 3 and alacena.sites.filter(region__isnull=False).exists()


@pytest.mark.django_db
def test_the_printed_logins_authenticate():
    logins = printed_logins(seed())
    assert len(logins) == 8
    for profile, email, password in logins:
        assert password == DEMO_PASSWORD
        user = authenticate(username=email, password=password)
        assert user is not None, profile
    superuser = authenticate(username=logins[-1][1], password=DEMO_PASSWORD)
    assert superuser.is_superuser and superuser.is_staff


@pytest.mark.django_db
def test_cases_have_threads_history_and_already_sent_notifications():
    seed()
    worked = Ticket.objects.exclude(status=Status.WAITING_FOR_SUPPORT)
    assert not worked.filter(messages__isnull=True).exists()
    assert Message.objects.filter(from_staff=True).exists()
    assert Message.objects.filter(from_staff=False).exists()
    assert Message.objects.filter(kind=Message.Kind.INTERNAL).exists()
    assert Event.objects.filter(kind=Event.Kind.STATUS).count() >= worked.count()
    assert Ticket.objects.filter(assignee__isnull=False).exists()
    emails = OutboundEmail.objects.all()
    assert emails.exists()
    assert not emails.exclude(state=OutboundEmail.State.SENT).exists()


@pytest.mark.django_db
def test_demo_emails_taken_by_someone_else_stop_the_build_cleanly():
    from django.core.management.base import CommandError

    from ventanilla.accounts.services import user_create

    user_create(email="admin@ventanilla.test", full_name="Someone else", password=None)
    with pytest.raises(CommandError, match=r"admin@ventanilla\.test"):
        seed()
    assert not Organization.objects.filter(code__in=DEMO_CODES).exists()


def test_status_counts_add_up_and_include_every_status():
    for total in (9, SMALL, 300):
        result = status_counts(total)
        assert sum(result.values()) == total
        assert set(result) == set(Status) and min(result.values()) >= 1


def test_generated_attachments_pass_the_content_sniffing():
    rng = random.Random(1)
    made = [
        (files.screenshot(rng), "image/png"),
        (
            files.report_pdf("Parte de trabajo", ["Técnico: Óscar", "Acción (cable)"]),
            "application/pdf",
        ),
        (files.log_txt(["2026-11-02 10:15:32 ERROR timeout tras 30 s"]), "text/plain"),
    ]
    for uploaded, content_type in made:
        assert check_uploaded_file(uploaded) == content_type
