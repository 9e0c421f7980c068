"""Changes to organizations and contacts (one door each)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.roles import contact_of, is_staff_member
from ventanilla.lib.taxid import normalize_tax_id
from ventanilla.organizations import notifications
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
    _check_email_free(contact)
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
    contact = contact_create(
        by=by,
        organization=organization,
        name=name.strip() or email,
        email=email,
        state=Contact.State.PENDING,
        pending_reason=reason[:200],
        **fields,
    )
    notifications.contact_pending(contact)
    return contact


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


# ---- contacts managed from the customer area (branch contacts) ----------------------------

EDITABLE_FIELDS = (
    "name",
    "email",
    "phone",
    "position",
    "is_billing",
    "is_quotes",
    "is_technical",
    "role",
    "site",
    "region",
    "privileges",
)


def _active_admins(organization):
    return Contact.objects.filter(
        organization=organization, state=Contact.State.ACTIVE, role=Contact.Role.ORG_ADMIN
    )


def _keeps_an_admin(contact, *, role, state):
    """False when this change would leave the organization without any active admin."""
    was_admin = contact.state == Contact.State.ACTIVE and contact.role == Contact.Role.ORG_ADMIN
    stays_admin = state == Contact.State.ACTIVE and role == Contact.Role.ORG_ADMIN
    if not was_admin or stays_admin:
        return True
    return _active_admins(contact.organization).exclude(pk=contact.pk).exists()


def _check_last_admin(contact, *, role, state):
    if not _keeps_an_admin(contact, role=role, state=state):
        raise ValidationError(
            _(
                "%(name)s is the last administrator of the organization. Make another contact "
                "administrator first."
            )
            % {"name": contact.name},
            code="last_admin",
        )


def _check_scope(organization, site, region):
    errors = {}
    if site is not None and site.organization_id != organization.pk:
        errors["site"] = _("The site belongs to another organization.")
    if region is not None and region.organization_id != organization.pk:
        errors["region"] = _("The region belongs to another organization.")
    if errors:
        raise ValidationError(errors)


def _check_email_free(contact):
    taken = Contact.objects.filter(organization_id=contact.organization_id, email=contact.email)
    if taken.exclude(pk=contact.pk).exists():
        raise ValidationError(
            {"email": _("Your organization already has a contact with this email.")},
            code="email_taken",
        )


def _locked(contact):
    return Contact.objects.select_for_update().select_related("organization").get(pk=contact.pk)


@transaction.atomic
def contact_update(*, contact, by, **fields):
    """Change a contact's data, kinds, portal role and section privileges (admins and staff).

    The organization always keeps at least one active admin."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable here: {sorted(unknown)}")
    _require_org_admin_or_staff(by, contact.organization)
    original, contact = contact, _locked(contact)
    _check_scope(contact.organization, fields.get("site"), fields.get("region"))
    _check_last_admin(contact, role=fields.get("role", contact.role), state=contact.state)
    for name, value in fields.items():
        if name in ("name", "email", "phone", "position"):
            value = value.strip()
        setattr(contact, name, value.lower() if name == "email" else value)
    _check_email_free(contact)
    contact.full_clean()
    contact.save()
    original.refresh_from_db()
    return contact


@transaction.atomic
def contact_deactivate(*, contact, by):
    """A deactivated contact can no longer use the customer area nor be a case's requester."""
    _require_org_admin_or_staff(by, contact.organization)
    original, contact = contact, _locked(contact)
    if contact.state != Contact.State.ACTIVE:
        raise ValidationError(_("This contact is not active."), code="not_active")
    _check_last_admin(contact, role=contact.role, state=Contact.State.INACTIVE)
    contact.state = original.state = Contact.State.INACTIVE
    contact.save(update_fields=["state"])
    return contact


@transaction.atomic
def contact_reactivate(*, contact, by):
    _require_org_admin_or_staff(by, contact.organization)
    original, contact = contact, _locked(contact)
    if contact.state != Contact.State.INACTIVE:
        raise ValidationError(_("This contact is not deactivated."), code="not_inactive")
    contact.state = original.state = Contact.State.ACTIVE
    contact.save(update_fields=["state"])
    return contact


def contact_can_be_decided_by(contact, user):
    """True when `user` may approve or reject this pending contact right now."""
    try:
        _require_org_admin_or_staff(user, contact.organization)
    except PermissionDenied:
        return False
    return user is not None and contact.state == Contact.State.PENDING
