"""Which emails a contact change queues. Called by organizations.services only.

A pending contact (signup, phone caller, unknown sender) is announced to every active admin of
the organization who has a login, with two signed one-click links: approve and reject. Each
link is bound to the contact, the decision and the admin (who becomes `decided_by`), expires
after DECISION_MAX_AGE and works once, because the contact must still be pending.
"""

from django.conf import settings
from django.urls import reverse

from ventanilla.lib.tokens import make_token, read_token
from ventanilla.mail.services import email_enqueue

DECISION_PURPOSE = "contact-decision"
DECISION_MAX_AGE = 60 * 60 * 24 * 7  # a week: admins may be away for a few days
DECISIONS = ("approve", "reject")


def decision_token(contact, decision, admin_user):
    if decision not in DECISIONS:
        raise ValueError(decision)
    return make_token(DECISION_PURPOSE, {"c": contact.pk, "d": decision, "u": admin_user.pk})


def read_decision_token(token):
    """(contact id, decision, admin user id) or lib.tokens.BadToken."""
    from ventanilla.lib.tokens import BadToken

    payload = read_token(DECISION_PURPOSE, token, max_age=DECISION_MAX_AGE)
    if not isinstance(payload, dict) or payload.get("d") not in DECISIONS:
        raise BadToken()
    return payload["c"], payload["d"], payload["u"]


def decision_url(contact, decision, admin_user):
    path = reverse(
        "portal:contact_decision_link",
        kwargs={"token": decision_token(contact, decision, admin_user)},
    )
    return f"{settings.SITE_URL}{path}"


def contact_pending(contact):
    from ventanilla.organizations.models import Contact

    admins = (
        Contact.objects.filter(
            organization_id=contact.organization_id,
            state=Contact.State.ACTIVE,
            role=Contact.Role.ORG_ADMIN,
            user__isnull=False,
            user__is_active=True,
        )
        .select_related("user", "organization")
        .order_by("pk")
    )
    for admin in admins:
        email_enqueue(
            template="contact_pending",
            to=[admin.email],
            language=admin.user.language,
            context={
                "contact": contact,
                "admin": admin,
                "organization": admin.organization,
                "approve_url": decision_url(contact, "approve", admin.user),
                "reject_url": decision_url(contact, "reject", admin.user),
                "contacts_url": f"{settings.SITE_URL}{reverse('portal:contacts')}",
            },
        )
