import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ventanilla.organizations.models import ALL_SECTIONS, Contact, Organization, Section
from ventanilla.organizations.services import (
    contact_approve,
    contact_create,
    contact_pending_create,
    contact_reject,
    organization_create,
)

pytestmark = pytest.mark.django_db


def test_invalid_cif_is_refused_in_spanish_and_nothing_is_saved():
    with pytest.raises(ValidationError) as error:
        organization_create(name="Mal S.L.", code="MAL", tax_id="B12345675")
    assert "no es un CIF, NIF o NIE español válido" in error.value.message_dict["tax_id"][0]
    assert not Organization.objects.exists()


def test_tax_id_is_normalised_and_unique():
    org = organization_create(name="Bien S.L.", code="bien1", tax_id="b-12.345.674")
    assert (org.tax_id, org.code) == ("B12345674", "BIEN1")
    with pytest.raises(ValidationError):
        organization_create(name="Otra", code="OTRA", tax_id="B12345674")


def test_pending_contact_is_approved_by_the_organization_admin(cast):
    pending = contact_create(
        by=None,
        organization=cast.orgs["a"],
        name="Raúl Pardo",
        email="raul@talleresebro.test",
        state=Contact.State.PENDING,
        pending_reason="Llamó por teléfono",
    )
    with pytest.raises(PermissionDenied):
        contact_approve(contact=pending, by=cast.customer)
    with pytest.raises(PermissionDenied):
        contact_approve(contact=pending, by=cast.outsider)
    contact_approve(contact=pending, by=cast.admin)
    pending.refresh_from_db()
    assert pending.state == Contact.State.ACTIVE and pending.decided_by == cast.admin


def test_only_pending_contacts_can_be_decided(cast):
    with pytest.raises(ValidationError):
        contact_reject(contact=cast.contacts["customer"], by=cast.admin)


def test_requesters_cannot_add_active_contacts(cast):
    with pytest.raises(PermissionDenied):
        contact_create(
            by=cast.customer, organization=cast.orgs["a"], name="X", email="x@talleresebro.test"
        )


def test_site_manager_needs_a_site(cast):
    with pytest.raises(ValidationError):
        contact_create(
            by=cast.admin,
            organization=cast.orgs["a"],
            name="Sin sede",
            email="sinsede@talleresebro.test",
            role=Contact.Role.SITE_MANAGER,
        )


def test_section_privileges(cast):
    customer, admin = cast.contacts["customer"], cast.contacts["admin"]
    assert customer.has_section(Section.CASES)
    assert not customer.has_section(Section.INVOICES)
    assert admin.privileges == ALL_SECTIONS and len(admin.sections()) == len(Section)
    customer.privileges = int(Section.CASES | Section.INVOICES)
    assert customer.sections() == [Section.CASES, Section.INVOICES]


def test_contact_email_is_unique_within_an_organization(cast):
    with pytest.raises(ValidationError):
        contact_create(
            by=cast.admin,
            organization=cast.orgs["a"],
            name="Copia",
            email="LUCIA@talleresebro.test",
        )


def test_pending_create_is_idempotent_and_never_touches_known_contacts(cast):
    org = cast.contacts["customer"].organization
    first = contact_pending_create(
        organization=org, name="Nuevo", email=" Nuevo@Example.com ", reason="phone call"
    )
    again = contact_pending_create(
        organization=org, name="Otro nombre", email="nuevo@example.com", reason="email"
    )
    assert first.pk == again.pk
    assert again.state == Contact.State.PENDING
    assert again.pending_reason == "phone call"
    known = contact_pending_create(
        organization=org, name="X", email=cast.contacts["customer"].email, reason="CC"
    )
    assert known.pk == cast.contacts["customer"].pk
    assert known.state == Contact.State.ACTIVE
