"""Gestionar contactos: the services behind the page, and the pending-contact notification."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ventanilla.lib.tokens import BadToken, make_token
from ventanilla.mail.models import OutboundEmail
from ventanilla.organizations.models import ALL_SECTIONS, Contact, Section
from ventanilla.organizations.notifications import (
    DECISION_MAX_AGE,
    decision_token,
    read_decision_token,
)
from ventanilla.organizations.services import (
    contact_approve,
    contact_create,
    contact_deactivate,
    contact_pending_create,
    contact_reactivate,
    contact_update,
)
from ventanilla.tickets.services import ticket_open

pytestmark = pytest.mark.django_db


def test_admin_edits_a_contact_of_their_organization(cast):
    contact = contact_update(
        contact=cast.contacts["colleague"],
        by=cast.admin,
        name="  Marcos Lafuente Gil ",
        email="MARCOS.L@talleresebro.test",
        phone="976 000 111",
        position="Jefe de taller",
        is_billing=True,
        is_quotes=True,
        is_technical=False,
        role=Contact.Role.SITE_MANAGER,
        site=cast.sites["huesca"],
        privileges=int(Section.CASES | Section.INVOICES),
    )
    contact.refresh_from_db()
    assert (contact.name, contact.email) == ("Marcos Lafuente Gil", "marcos.l@talleresebro.test")
    assert [str(k) for k in contact.kinds()] == ["Facturación", "Presupuestos"]
    assert contact.role == Contact.Role.SITE_MANAGER and contact.site == cast.sites["huesca"]
    assert contact.has_section(Section.INVOICES) and not contact.has_section(Section.CONTACTS)


@pytest.mark.parametrize("role", ["customer", "site_manager", "regional", "outsider"])
def test_only_admins_of_that_organization_edit(cast, role):
    with pytest.raises(PermissionDenied):
        contact_update(contact=cast.contacts["colleague"], by=cast.users[role], name="X")
    with pytest.raises(PermissionDenied):
        contact_deactivate(contact=cast.contacts["colleague"], by=cast.users[role])


def test_staff_may_edit_any_organization(cast):
    contact_update(contact=cast.contacts["outsider"], by=cast.agent_l1, position="Enólogo")
    assert Contact.objects.get(pk=cast.contacts["outsider"].pk).position == "Enólogo"


def test_site_of_another_organization_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        contact_update(
            contact=cast.contacts["colleague"], by=cast.admin, site=cast.sites["logrono"]
        )
    assert "site" in error.value.message_dict


def test_email_taken_in_the_organization_gets_a_clear_error(cast):
    with pytest.raises(ValidationError) as error:
        contact_update(
            contact=cast.contacts["colleague"], by=cast.admin, email="LUCIA@talleresebro.test"
        )
    assert (
        "Tu organización ya tiene un contacto con este email." in error.value.message_dict["email"]
    )


def test_the_last_admin_cannot_demote_or_deactivate_themselves(cast):
    admin = cast.contacts["admin"]
    with pytest.raises(ValidationError, match="último administrador"):
        contact_update(contact=admin, by=cast.admin, role=Contact.Role.REQUESTER)
    with pytest.raises(ValidationError, match="último administrador"):
        contact_deactivate(contact=admin, by=cast.admin)
    assert Contact.objects.get(pk=admin.pk).role == Contact.Role.ORG_ADMIN

    contact_update(contact=cast.contacts["colleague"], by=cast.admin, role=Contact.Role.ORG_ADMIN)
    contact_update(contact=admin, by=cast.admin, role=Contact.Role.REQUESTER)
    assert Contact.objects.get(pk=admin.pk).role == Contact.Role.REQUESTER


def test_deactivated_contact_cannot_use_the_area_nor_be_a_requester(cast, client):
    colleague = cast.contacts["colleague"]
    contact_deactivate(contact=colleague, by=cast.admin)
    client.force_login(cast.colleague)
    assert client.get("/area/").status_code == 403
    with pytest.raises(ValidationError):
        ticket_open(by=cast.admin, requester=colleague, subject="x", description="y", consent=True)
    with pytest.raises(ValidationError):
        contact_deactivate(contact=colleague, by=cast.admin)

    contact_reactivate(contact=colleague, by=cast.admin)
    assert client.get("/area/").status_code == 200
    with pytest.raises(ValidationError):
        contact_reactivate(contact=colleague, by=cast.admin)


def test_admin_adds_an_active_contact(cast):
    contact = contact_create(
        by=cast.admin,
        organization=cast.orgs["a"],
        name="Elena Soler",
        email="elena@talleresebro.test",
        is_billing=True,
    )
    assert contact.state == Contact.State.ACTIVE and contact.user is None


def pending(cast, **kwargs):
    return contact_pending_create(
        organization=cast.orgs["a"],
        name="Raúl Pardo",
        email="Raul@TalleresEbro.test",
        reason="Llamó por teléfono al soporte",
        **kwargs,
    )


def test_pending_contact_notifies_each_active_admin_once(cast):
    second = contact_update(
        contact=cast.contacts["colleague"], by=cast.admin, role=Contact.Role.ORG_ADMIN
    )
    contact_deactivate(contact=cast.contacts["customer"], by=cast.admin)  # not an admin: no mail
    cast.admin.language = "en"
    cast.admin.save()

    contact = pending(cast)
    again = pending(cast, phone="600 000 000")

    assert again.pk == contact.pk and contact.state == Contact.State.PENDING
    emails = OutboundEmail.objects.filter(template="contact_pending").order_by("to")
    assert [e.to for e in emails] == [[second.email], [cast.contacts["admin"].email]]
    english, spanish = emails[1], emails[0]
    assert english.subject == "Raúl Pardo asks to be a contact of your company"
    assert spanish.subject == "Raúl Pardo pide ser contacto de tu empresa"
    assert "Llamó por teléfono al soporte" in spanish.body_text
    links = re.findall(r"/area/contactos/solicitud/([^/\s]+)/", spanish.body_text)
    assert len(links) == 2
    decisions = [read_decision_token(token) for token in links]
    assert decisions == [
        (contact.pk, "approve", cast.colleague.pk),
        (contact.pk, "reject", cast.colleague.pk),
    ]


def test_no_admin_with_login_means_no_mail_but_the_contact_is_kept(cast):
    contact = contact_pending_create(
        organization=cast.orgs["b"], name="Ana", email="ana@bodegasalbar.test", reason="Web"
    )
    assert contact.state == Contact.State.PENDING
    assert not OutboundEmail.objects.filter(template="contact_pending").exists()


def test_decision_token_expires_and_is_bound_to_its_purpose(cast):
    contact = pending(cast)
    token = decision_token(contact, "approve", cast.admin)
    assert read_decision_token(token) == (contact.pk, "approve", cast.admin.pk)
    forged = make_token("rating", {"c": contact.pk, "d": "approve", "u": cast.admin.pk})
    with pytest.raises(BadToken):
        read_decision_token(forged)
    with pytest.raises(BadToken):
        read_decision_token(token[:-2] + "xx")
    later = timezone.now() + dt.timedelta(seconds=DECISION_MAX_AGE + 60)
    with time_machine.travel(later), pytest.raises(BadToken) as error:
        read_decision_token(token)
    assert error.value.expired


def test_admins_sections_are_everything(cast):
    assert cast.contacts["admin"].privileges == ALL_SECTIONS
    contact_approve(contact=pending(cast), by=cast.admin)
    assert Contact.objects.get(email="raul@talleresebro.test").decided_by == cast.admin
