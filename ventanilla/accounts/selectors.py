"""Reads for the accounts app: throttling counters and the client code + CIF match."""

from ventanilla.accounts.models import AccessAttempt
from ventanilla.lib.taxid import normalize_tax_id
from ventanilla.organizations.models import Organization


def attempt_wait_seconds(*, scope, key, limit, window, now):
    """Seconds until fewer than `limit` attempts of (scope, key) remain inside the window; 0 when
    the limit is not reached (or is 0, which turns the limit off). One indexed query."""
    if limit <= 0:
        return 0
    nth_latest = (
        AccessAttempt.objects.filter(scope=scope, key=key, created_at__gt=now - window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[limit - 1 : limit]
    )
    for moment in nth_latest:
        return max(0, (moment + window - now).total_seconds())
    return 0


def organization_matching(*, code, tax_id):
    """The active organization whose client code AND CIF are these, or None."""
    code, tax_id = (code or "").strip().upper(), normalize_tax_id(tax_id)
    if not code or not tax_id:
        return None
    return Organization.objects.filter(code=code, tax_id=tax_id, is_active=True).first()


# ---- notify ----
def notification_preferences_of(user):
    """The user's NotificationPreference, or an unsaved one with the defaults."""
    from ventanilla.accounts.models import NotificationPreference

    found = NotificationPreference.objects.filter(user=user).first()
    return found or NotificationPreference(user=user)


def emails_opted_out(kind, emails):
    """The lower-cased addresses among `emails` whose user switched off `kind`. One query,
    whatever the number of recipients (no row = defaults = receives)."""
    from ventanilla.accounts.models import NotificationPreference

    emails = {e.lower() for e in emails if e}
    if not emails:
        return set()
    rows = NotificationPreference.objects.filter(user__email__in=emails, **{kind: False})
    return {e.lower() for e in rows.values_list("user__email", flat=True)}
