"""Phone intake (seed 004): find the caller by name, email, phone or client code, then open the
case on their behalf. An unknown caller becomes a pending contact and the case goes ahead."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ventanilla.console.forms import PhoneCaseForm
from ventanilla.core.decorators import staff_required
from ventanilla.organizations.models import Contact, Organization
from ventanilla.tickets.selectors import callers_search, organizations_search
from ventanilla.tickets.services import ticket_open_by_phone


def _picked(request):
    source = request.POST if request.method == "POST" else request.GET
    contact = (
        Contact.objects.select_related("organization").filter(pk=source.get("contact") or 0).first()
    )
    organization = contact.organization if contact else None
    if organization is None:
        organization = Organization.objects.filter(pk=source.get("organization") or 0).first()
    return contact, organization


@staff_required
def phone(request):
    query = request.GET.get("q", "").strip()
    contact, organization = _picked(request)
    if request.method == "POST":
        form = PhoneCaseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = ticket_open_by_phone(by=request.user, **data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, _("Case %(number)s opened by phone.") % {"number": ticket.number}
                )
                return redirect("console:case_detail", number=ticket.number)
    else:
        initial = {"organization": organization, "contact": contact}
        form = PhoneCaseForm(initial=initial) if organization else None
    context = {
        "query": query,
        "callers": list(callers_search(request.user, query)) if query else [],
        "organizations": list(organizations_search(query)) if query and not contact else [],
        "contact": contact,
        "organization": organization,
        "form": form,
    }
    if request.htmx and not request.htmx.boosted and request.method == "GET" and query:
        return render(request, "console/phone.html#results", context)
    return render(request, "console/phone.html", context)
