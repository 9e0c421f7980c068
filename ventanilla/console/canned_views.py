"""Canned replies, managed by supervisors (agents use them from the case page)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ventanilla.accounts.roles import is_supervisor
from ventanilla.console.forms import CannedReplyForm
from ventanilla.core.decorators import staff_required
from ventanilla.staff.models import CannedReply


def _supervisor(request):
    if not is_supervisor(request.user):
        raise PermissionDenied


@staff_required
def canned_list(request):
    _supervisor(request)
    form = CannedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reply = form.save(commit=False)
        reply.created_by = request.user
        reply.save()
        messages.success(request, _("Canned reply saved."))
        return redirect("console:canned_list")
    replies = CannedReply.objects.order_by("language", "title")
    return render(request, "console/canned_list.html", {"form": form, "replies": replies})


@staff_required
def canned_edit(request, pk):
    _supervisor(request)
    reply = get_object_or_404(CannedReply, pk=pk)
    form = CannedReplyForm(request.POST or None, instance=reply)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Canned reply saved."))
        return redirect("console:canned_list")
    return render(request, "console/canned_edit.html", {"form": form, "reply": reply})
