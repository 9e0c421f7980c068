"""What the rating partials need: scores with their labels, and the reminder's context."""

from django.utils.translation import gettext_lazy as _

from ventanilla.tickets.models import Rating
from ventanilla.tickets.selectors import tickets_unrated
from ventanilla.tickets.services import RATEABLE

REMINDER_SIZE = 5
REMINDER_HIDDEN = "ventanilla.rating_reminder_hidden"
SCORES = (
    (1, _("Very unsatisfied")),
    (2, _("Unsatisfied")),
    (3, _("Neutral")),
    (4, _("Satisfied")),
    (5, _("Very satisfied")),
)


def score_label(score):
    return dict(SCORES).get(score, "")


def case_rating_context(ticket, rating=None, *, error=""):
    """Context of portal/ratings/_case_rating.html for one case (one query when `rating` is
    not given)."""
    if rating is None and ticket.status in RATEABLE:
        rating = Rating.objects.filter(ticket_id=ticket.pk).first()
    return {
        "ticket": ticket,
        "rating": rating,
        "rateable": ticket.status in RATEABLE,
        "scores": SCORES,
        "rating_error": error,
        "rating_label": score_label(rating.score) if rating else "",
    }


def reminder_context(request, *, just_rated=None):
    """Context of portal/ratings/_reminder.html: up to REMINDER_SIZE unrated cases."""
    hidden = request.session.get(REMINDER_HIDDEN, False)
    unrated = [] if hidden else list(tickets_unrated(request.user, limit=REMINDER_SIZE + 1))
    return {
        "unrated": unrated[:REMINDER_SIZE],
        "unrated_more": len(unrated) > REMINDER_SIZE,
        "scores": SCORES,
        "just_rated": just_rated,
    }
