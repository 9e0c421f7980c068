"""Changes to organizations and contacts (one door each)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.roles import contact_of, is_staff_member
from ventanilla.lib.taxid import normalize_tax_id
from ventanilla.organizations.models import Contact, Organization, Region, Site


def _require_org_admin_or_staff(by, organization):
    if by is None or is_staff_member(by):
        return
    contact = contact_of(by)
    if contact is None or contact.organization_id != organization.pk:
        raise PermissionDenied("not of this organization")
    if contact.role != Contact.Role.ORG_ADMIN:
        raise PermissionDenied("organization admins only")


@transaction.atomic
def organization_create(*, name, code, tax_id, **fields):
    organization = Organization(
        name=name, code=code.strip().upper(), tax_id=normalize_tax_id(tax_id), **fields
    )
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def region_create(*, organization, name):
    return Region.objects.create(organization=organization, name=name)


@transaction.atomic
def site_create(*, organization, name, region=None, **fields):
    site = Site(organization=organization, name=name, region=region, **fields)
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def contact_create(*, by, organization, name, email, state=Contact.State.ACTIVE, **fields):
    """Add a contact. Customers' admins add active contacts; unknown people arrive pending."""
    if state == Contact.State.ACTIVE:
        _require_org_admin_or_staff(by, organization)
    contact = Contact(
        organization=organization,
        name=name.strip(),
        email=email.strip().lower(),
        state=state,
        **fields,
    )
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def contact_pending_create(*, organization, name, email, reason, by=None, **fields):
    """Someone we do not know yet (signup, phone caller, CC'd outsider, unknown sender) asks to be
    a contact: keep them pending until an admin of the organization decides. Returns the contact;
    an existing contact with that email is returned unchanged (active, pending or rejected), so
    callers can call this on every message without creating duplicates."""
    email = email.strip().lower()
    existing = Contact.objects.filter(organization=organization, email=email).first()
    if existing is not None:
        return existing
    return contact_create(
        by=by,
        organization=organization,
        name=name.strip() or email,
        email=email,
        state=Contact.State.PENDING,
        pending_reason=reason[:200],
        **fields,
    )


def _decide(contact, by, state, now):
    _require_org_admin_or_staff(by, contact.organization)
    if contact.state != Contact.State.PENDING:
        raise ValidationError(_("This contact is not waiting for approval."), code="not_pending")
    contact.state, contact.decided_by, contact.decided_at = state, by, now or timezone.now()
    contact.save(update_fields=["state", "decided_by", "decided_at"])
    return contact


@transaction.atomic
def contact_approve(*, contact, by, now=None):
    return _decide(contact, by, Contact.State.ACTIVE, now)


@transaction.atomic
def contact_reject(*, contact, by, now=None):
    return _decide(contact, by, Contact.State.REJECTED, now)


@transaction.atomic
def contact_link_user(*, contact, user):
    """Give a contact its login (portal account)."""
    if contact.user_id and contact.user_id != user.pk:
        raise ValidationError(_("This contact already has a login."))
    contact.user = user
    contact.save(update_fields=["user"])
    return contact
