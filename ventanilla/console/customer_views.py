"""Customer 360: an organization or a contact with their people, sites and (visible) cases."""

from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from ventanilla.core.decorators import staff_required
from ventanilla.organizations.models import Contact, Organization
from ventanilla.tickets.access import tickets_visible_to
from ventanilla.tickets.selectors import LIST_RELATED
from ventanilla.tickets.workflow import OPEN, Status


def _status_counts(tickets):
    rows = tickets.order_by().values("status").annotate(n=Count("id"))
    counts = {row["status"]: row["n"] for row in rows}
    return [(Status(s), counts.get(s, 0)) for s in OPEN]


@staff_required
def organization(request, pk):
    org = get_object_or_404(Organization, pk=pk)
    tickets = tickets_visible_to(request.user).filter(organization=org)
    context = {
        "organization": org,
        "contacts": org.contacts.select_related("site").order_by("state", "name")[:200],
        "sites": org.sites.select_related("region").order_by("name"),
        "status_counts": _status_counts(tickets),
        "tickets": tickets.select_related(*LIST_RELATED).order_by("-last_activity_at", "-id")[:25],
    }
    return render(request, "console/organization.html", context)


@staff_required
def contact(request, pk):
    person = get_object_or_404(Contact.objects.select_related("organization", "site"), pk=pk)
    tickets = tickets_visible_to(request.user).filter(requester=person)
    context = {
        "contact": person,
        "status_counts": _status_counts(tickets),
        "tickets": tickets.select_related(*LIST_RELATED).order_by("-last_activity_at", "-id")[:25],
    }
    return render(request, "console/contact.html", context)
