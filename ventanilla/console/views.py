from django.shortcuts import render

from ventanilla.accounts.roles import agent_of
from ventanilla.core.decorators import staff_required
from ventanilla.core.downloads import attachment_response
from ventanilla.tickets.selectors import ticket_counts_by_status, ticket_list
from ventanilla.tickets.workflow import OPEN, Status


@staff_required
def home(request):
    counts = ticket_counts_by_status(request.user)
    context = {
        "agent": agent_of(request.user),
        "status_counts": [(Status(s), counts.get(s, 0)) for s in OPEN],
        "untriaged": ticket_list(request.user, statuses=[Status.WAITING_FOR_SUPPORT], limit=10),
        "mine": ticket_list(request.user, statuses=OPEN, assignee=request.user, limit=10),
    }
    return render(request, "console/home.html", context)


@staff_required
def attachment_download(request, pk):
    return attachment_response(request.user, pk)
