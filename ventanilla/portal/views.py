from django.shortcuts import render

from ventanilla.accounts.roles import contact_of
from ventanilla.core.decorators import customer_required
from ventanilla.core.downloads import attachment_response
from ventanilla.core.rows import cached_rows
from ventanilla.organizations.models import Section
from ventanilla.portal.ratings import reminder_context
from ventanilla.tickets.selectors import ticket_counts_by_status, ticket_list
from ventanilla.tickets.workflow import OPEN, Status


@customer_required
def home(request):
    contact = contact_of(request.user)
    # lists: the cases blocks, rendered and kept a few seconds per person, language, time zone
    # and minute (core/rows.py: staleness, read-your-writes); never shared between people
    waiting_html, cases_html = cached_rows(
        request, "portal-home", f"user:{request.user.pk}", [], lambda: _home_cases(request)
    )
    context = {
        "contact": contact,
        "waiting_html": waiting_html,
        "cases_html": cases_html,
        "sections": [(s, label, contact.has_section(s)) for s, label in Section.labels().items()],
        **reminder_context(request),
    }
    return render(request, "portal/home.html", context)


def _home_cases(request):
    from django.template.loader import render_to_string

    from ventanilla.core.templatetags.ventanilla_ui import url_or_hash

    counts = ticket_counts_by_status(request.user, statuses=OPEN)
    context = {
        "open_counts": [(Status(s), counts.get(s, 0)) for s in OPEN],
        "waiting_on_me": ticket_list(request.user, statuses=[Status.WAITING_ON_CUSTOMER], limit=5),
        "recent": ticket_list(request.user, statuses=OPEN, limit=8),
        "new_case_url": url_or_hash("portal:case_new"),
        "case_list_url": url_or_hash("portal:case_list"),
    }
    return (
        render_to_string("portal/home.html#waiting", context),
        render_to_string("portal/home.html#cases", context),
    )


@customer_required
def attachment_download(request, pk):
    return attachment_response(request.user, pk)


# ---- notify ----
@customer_required
def notifications(request):
    """ "Mis notificaciones": which optional emails about their cases the customer receives."""
    from ventanilla.accounts.notification_views import preferences_page

    return preferences_page(request, side="customer")
