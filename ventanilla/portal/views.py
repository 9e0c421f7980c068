from django.shortcuts import render

from ventanilla.accounts.roles import contact_of
from ventanilla.core.decorators import customer_required
from ventanilla.core.downloads import attachment_response
from ventanilla.organizations.models import Section
from ventanilla.portal.ratings import reminder_context
from ventanilla.tickets.selectors import ticket_counts_by_status, ticket_list
from ventanilla.tickets.workflow import OPEN, Status


@customer_required
def home(request):
    contact = contact_of(request.user)
    counts = ticket_counts_by_status(request.user, statuses=OPEN)
    context = {
        "contact": contact,
        "open_counts": [(Status(s), counts.get(s, 0)) for s in OPEN],
        "waiting_on_me": ticket_list(request.user, statuses=[Status.WAITING_ON_CUSTOMER], limit=5),
        "recent": ticket_list(request.user, statuses=OPEN, limit=8),
        "sections": [(s, label, contact.has_section(s)) for s, label in Section.labels().items()],
        **reminder_context(request),
    }
    return render(request, "portal/home.html", context)


@customer_required
def attachment_download(request, pk):
    return attachment_response(request.user, pk)


# ---- notify ----
@customer_required
def notifications(request):
    """ "Mis notificaciones": which optional emails about their cases the customer receives."""
    from ventanilla.accounts.notification_views import preferences_page

    return preferences_page(request, side="customer")
