"""Reads of organizations and contacts for pages."""

from django.db.models import Q

from ventanilla.organizations.models import Contact, Region, Site

LISTED = (Contact.State.ACTIVE, Contact.State.INACTIVE)


def contacts_of_organization(organization, *, query="", state=None):
    """Active and deactivated contacts of one organization, for the contacts page."""
    contacts = Contact.objects.filter(organization=organization).select_related("site", "region")
    contacts = contacts.filter(state=state) if state else contacts.filter(state__in=LISTED)
    query = (query or "").strip()
    if query:
        contacts = contacts.filter(
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(position__icontains=query)
            | Q(phone__icontains=query)
        )
    return contacts.order_by("state", "name", "pk")


def contacts_pending(organization):
    return Contact.objects.filter(organization=organization, state=Contact.State.PENDING).order_by(
        "created_at", "pk"
    )


def sites_of(organization):
    return Site.objects.filter(organization=organization).select_related("region").order_by("name")


def regions_of(organization):
    return Region.objects.filter(organization=organization).order_by("name")
