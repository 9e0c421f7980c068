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
