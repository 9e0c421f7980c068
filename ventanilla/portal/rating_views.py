"""Ratings: "Indícanos tu grado de satisfacción" (seed 000 §7). The case page's box and the home
reminder post here (htmx, with a plain-form fallback); the resolved email's one-click links open
`rate_link`, which needs no login."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.core.decorators import customer_required
from ventanilla.lib.tokens import BadToken
from ventanilla.organizations.models import Contact
from ventanilla.portal.case_views import forget_counts
from ventanilla.portal.ratings import (
    REMINDER_HIDDEN,
    SCORES,
    case_rating_context,
    reminder_context,
    score_label,
)
from ventanilla.tickets.access import get_ticket_for_user_or_404
from ventanilla.tickets.models import Participant, Rating, Ticket
from ventanilla.tickets.notifications import read_rating_token
from ventanilla.tickets.services import rating_record


def _score(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _record(ticket, score, by, comment):
    """(rating, error message) — the existing rating's score is kept for comment-only posts."""
    if score is None:
        existing = Rating.objects.filter(ticket_id=ticket.pk).first()
        score = existing.score if existing else None
    try:
        return rating_record(ticket=ticket, score=score, by=by, comment=comment), ""
    except ValidationError as error:
        return None, " ".join(error.messages)


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("portal:home")


@require_POST
@customer_required
def rate(request, pk):
    ticket = get_ticket_for_user_or_404(request.user, pk=pk)
    score, comment = _score(request.POST.get("score")), request.POST.get("comment", "")
    rating, error = _record(ticket, score, request.user, comment)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            forget_counts(request.user)  # reads: their list counts change now
            messages.success(request, _("Thank you! Your rating is saved."))
        return _back(request)
    if request.POST.get("panel") == "reminder":
        context = reminder_context(request, just_rated=ticket if rating else None)
        return render(request, "portal/ratings/_reminder.html", context)
    context = case_rating_context(ticket, rating, error=error)
    context["just_rated"] = rating is not None and not error
    return render(request, "portal/ratings/_case_rating.html", context)


@require_POST
@customer_required
def rating_reminder_dismiss(request):
    """ "Later": hide the reminder for the rest of this session (it returns at the next login)."""
    request.session[REMINDER_HIDDEN] = True
    if request.htmx:
        return HttpResponse("")
    return redirect("portal:home")


# ---- the one-click links of the resolved email (no login needed) ------------------------------


def _link_target(token):
    """(ticket, contact, score) of a valid link, or raise BadToken. The contact must still be
    active and still the requester or a participant of the case."""
    ticket_id, contact_id, score = read_rating_token(token)
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    contact = Contact.objects.select_related("user").filter(pk=contact_id).first()
    if ticket is None or contact is None or contact.state != Contact.State.ACTIVE:
        raise BadToken()
    involved = (
        ticket.requester_id == contact.pk
        or Participant.objects.filter(ticket=ticket, contact=contact).exists()
    )
    if not involved:
        raise BadToken()
    return ticket, contact, score


def rate_link(request, token):
    """GET asks "¿Confirmas 4/5?" with one button (mail scanners prefetch links, so GET never
    records); POST records the score, then offers the comment (a second POST keeps the score)."""
    try:
        ticket, contact, score = _link_target(token)
    except BadToken as error:
        return render(
            request, "portal/ratings/link_invalid.html", {"expired": error.expired}, status=400
        )
    rating = Rating.objects.filter(ticket_id=ticket.pk).first()
    error = ""
    if request.method == "POST":
        chosen = _score(request.POST.get("score")) or score
        try:
            rating, error = _record(ticket, chosen, contact.user, request.POST.get("comment", ""))
        except PermissionDenied:
            return render(request, "portal/ratings/link_invalid.html", {}, status=403)
    context = {
        "ticket": ticket,
        "contact": contact,
        "score": rating.score if rating else score,
        "score_label": score_label(rating.score if rating else score),
        "rating": rating,
        "scores": SCORES,
        "error": error,
        "just_rated": request.method == "POST" and rating is not None,
    }
    return render(request, "portal/ratings/link.html", context)
