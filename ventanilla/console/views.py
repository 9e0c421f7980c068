from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ventanilla.accounts.roles import agent_of, is_supervisor
from ventanilla.core.decorators import staff_required
from ventanilla.core.downloads import attachment_response
from ventanilla.core.rows import cached_rows
from ventanilla.mail.intake import inbound_reprocess_now
from ventanilla.mail.models import InboundEmail
from ventanilla.mail.selectors import inbound_quarantined, inbound_quarantined_count
from ventanilla.tickets.selectors import ticket_counts_by_status, ticket_list
from ventanilla.tickets.workflow import OPEN, Status


@staff_required
def home(request):
    context = {
        "agent": agent_of(request.user),
        # lists: the counts and the two lists, rendered and kept a few seconds per person,
        # language, time zone and minute (core/rows.py: staleness, read-your-writes)
        "cases_html": cached_rows(
            request, "console-home", f"user:{request.user.pk}", [], lambda: _home_cases(request)
        ),
    }
    return render(request, "console/home.html", context)


def _home_cases(request):
    from django.template.loader import render_to_string

    counts = ticket_counts_by_status(request.user, statuses=OPEN)
    context = {
        "status_counts": [(Status(s), counts.get(s, 0)) for s in OPEN],
        "untriaged": ticket_list(request.user, statuses=[Status.WAITING_FOR_SUPPORT], limit=10),
        "mine": ticket_list(request.user, statuses=OPEN, assignee=request.user, limit=10),
    }
    return render_to_string("console/home.html#cases", context)


@staff_required
def attachment_download(request, pk):
    return attachment_response(request.user, pk)


# ---- email ----
@staff_required
def quarantine(request):
    """Incoming mail that intake held or could not process; supervisors send it again."""
    if not is_supervisor(request.user):
        raise PermissionDenied
    if request.method == "POST":
        inbound = get_object_or_404(
            InboundEmail, pk=request.POST.get("inbound"), state=InboundEmail.State.QUARANTINED
        )
        inbound = inbound_reprocess_now(inbound=inbound)
        if inbound.state == InboundEmail.State.QUARANTINED:
            messages.warning(
                request,
                _("The email is still in quarantine: %(reason)s")
                % {"reason": inbound.error.splitlines()[0] if inbound.error else inbound.reason},
            )
        else:
            messages.success(request, _("The email was processed again."))
        return redirect("console:quarantine")
    context = {"emails": inbound_quarantined(), "total": inbound_quarantined_count()}
    return render(request, "console/quarantine.html", context)


# ---- notify ----
@staff_required
def notifications(request):
    """ "Mis avisos": which emails about cases the agent receives."""
    from ventanilla.accounts.notification_views import preferences_page

    return preferences_page(request, side="agent")
