"""Changes to staff data made from the console (saved queue views)."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.accounts.roles import is_staff_member
from ventanilla.staff.models import SavedQueueView

MAX_SAVED_VIEWS = 30


@transaction.atomic
def saved_view_save(*, by, name, queue, filters):
    """Save (or overwrite by name) a queue with its filters for `by`. `filters` is a dict of the
    queue filter names the console knows; anything else is dropped."""
    from ventanilla.tickets.selectors import QUEUE_FILTERS, QUEUE_NAMES

    if not is_staff_member(by):
        raise PermissionDenied("staff only")
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    if queue not in QUEUE_NAMES:
        raise ValidationError({"queue": _("Unknown queue.")})
    known = {k: v for k, v in filters.items() if (k in QUEUE_FILTERS or k == "q") and v}
    existing = SavedQueueView.objects.filter(user=by)
    if existing.count() >= MAX_SAVED_VIEWS and not existing.filter(name=name).exists():
        raise ValidationError({"name": _("You have too many saved views; delete one first.")})
    view, _created = SavedQueueView.objects.update_or_create(
        user=by,
        name=name[:60],
        defaults={"queue": queue, "params": urlencode(sorted(known.items()))},
    )
    return view


@transaction.atomic
def saved_view_delete(*, by, view):
    if view.user_id != by.pk:
        raise PermissionDenied("not yours")
    view.delete()
