from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from ventanilla.accounts.models import AccessAttempt, User
from ventanilla.accounts.selectors import organization_matching
from ventanilla.lib.tokens import BadToken, make_token, read_token
from ventanilla.organizations.models import Contact
from ventanilla.organizations.services import contact_link_user, contact_pending_create


@transaction.atomic
def user_create(*, email, full_name, password=None, language=None, **fields):
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        language=language or settings.LANGUAGE_CODE,
        **fields,
    )
    return user


@transaction.atomic
def user_set_language(*, user, language):
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    user.language = language
    user.save(update_fields=["language"])
    return user


# ---- throttling counters (policy in accounts/throttle.py) ----


@transaction.atomic
def access_attempt_record(*, scope, key, now, window):
    """Count one attempt; prune every row older than the window (one indexed range delete)."""
    AccessAttempt.objects.filter(created_at__lt=now - window).delete()
    return AccessAttempt.objects.create(scope=scope, key=key, created_at=now)


@transaction.atomic
def access_attempts_clear(*, scope, key):
    AccessAttempt.objects.filter(scope=scope, key=key).delete()


# ---- links sent by email: choose a password (reset) or create the account (sign-up) ----

LINK_RESET = "account-reset"
LINK_SIGNUP = "account-signup"


def _contact_stamp(contact):
    """A fingerprint of everything a used link changes: the contact's state and login, the
    login's password hash and last login. Any change makes older links fail (single use)."""
    user = contact.user
    parts = [contact.pk, contact.state, contact.user_id or ""]
    if user is not None:
        parts += [user.password, user.last_login.isoformat() if user.last_login else ""]
        parts += [user.is_active]
    value = "|".join(map(str, parts))
    return salted_hmac("ventanilla.accounts.link", value, algorithm="sha256").hexdigest()[:32]


def access_link_make(*, contact, purpose):
    return make_token(purpose, {"c": contact.pk, "s": _contact_stamp(contact)})


def access_link_read(*, purpose, token, lock=False):
    """The active contact a link was made for, or BadToken (`.expired` when it is too old).
    A link already used (password set, account created, contact deactivated) is BadToken."""
    max_age = settings.VENTANILLA_LOGIN_LINK_HOURS * 3600
    payload = read_token(purpose, token, max_age=max_age)
    if not isinstance(payload, dict):
        raise BadToken()
    contacts = Contact.objects.select_related("user", "organization")
    if lock:
        contacts = contacts.select_for_update(of=("self",))
    contact = contacts.filter(pk=payload.get("c")).first()
    if contact is None or not contact.is_active or not contact.organization.is_active:
        raise BadToken()
    if not constant_time_compare(str(payload.get("s", "")), _contact_stamp(contact)):
        raise BadToken()
    return contact


@transaction.atomic
def access_link_redeem(*, purpose, token, password, language=None):
    """Use a link: check it again with the contact row locked (two tabs posting the same link
    at once: the second finds it used), then set the password. Returns the user."""
    contact = access_link_read(purpose=purpose, token=token, lock=True)
    return contact_password_set(contact=contact, password=password, language=language)


def _link_url(purpose, contact):
    name = "accounts:reset" if purpose == LINK_RESET else "accounts:signup_confirm"
    token = access_link_make(contact=contact, purpose=purpose)
    return f"{settings.SITE_URL}{reverse(name, kwargs={'token': token})}"


def _language_of(contact, fallback):
    user = contact.user
    return user.language if user is not None else (fallback or settings.LANGUAGE_CODE)


def _email_contact(contact, template, language, **context):
    from ventanilla.mail.services import email_enqueue

    return email_enqueue(
        template=template,
        to=[contact.email],
        context={
            "contact": contact,
            "organization": contact.organization,
            "link_hours": settings.VENTANILLA_LOGIN_LINK_HOURS,
            **context,
        },
        language=_language_of(contact, language),
    )


def _email_admins(organization, *, email, language):
    """Tell the organization's active admins that someone asked for access with this email."""
    from ventanilla.mail.services import email_enqueue

    admins = organization.contacts.filter(
        state=Contact.State.ACTIVE, role=Contact.Role.ORG_ADMIN
    ).select_related("user")
    for admin in admins:
        email_enqueue(
            template="account_access_request",
            to=[admin.email],
            context={"admin": admin, "organization": organization, "email": email},
            language=_language_of(admin, language),
        )
    return len(admins)


def _contact_by_email(organization, email):
    return organization.contacts.select_related("user", "organization").filter(email=email).first()


@transaction.atomic
def access_recover_request(*, code, tax_id, email, language=None):
    """ "¿No puedes acceder?": client code + CIF + email. Returns what happened (for tests and
    logs; the page says the same neutral thing whatever it is):
    "link_sent" (an active contact gets a link to choose a password, which also creates the login
    it lacks), "admins_notified" (the pair matches but the email is not an active contact: the
    organization's admins are told, and an unknown email becomes a pending contact), "no_match".
    """
    organization = organization_matching(code=code, tax_id=tax_id)
    if organization is None:
        return "no_match"
    email = email.strip().lower()
    contact = _contact_by_email(organization, email)
    if contact is not None and contact.is_active:
        _email_contact(contact, "account_reset", language, url=_link_url(LINK_RESET, contact))
        return "link_sent"
    if contact is None:
        # The pending-contact door tells the admins itself, with one-click approve/reject links.
        contact_pending_create(organization=organization, name=email, email=email, reason="recover")
    else:
        _email_admins(organization, email=email, language=language)
    return "admins_notified"


@transaction.atomic
def access_signup_request(*, name, email, code, tax_id, phone="", language=None):
    """Create an account: returns "verify" (active contact without login: a link to choose a
    password), "exists" (already has a login: a reminder with a reset link), "pending" (unknown
    email of a matching organization: a pending contact that an admin of the company approves),
    "refused" (rejected or deactivated contact: nothing is sent) or "no_match"."""
    organization = organization_matching(code=code, tax_id=tax_id)
    if organization is None:
        return "no_match"
    email = email.strip().lower()
    contact = _contact_by_email(organization, email)
    if contact is None:
        contact = contact_pending_create(
            organization=organization, name=name, email=email, reason="signup", phone=phone.strip()
        )
    if contact.state == Contact.State.PENDING:
        _email_contact(contact, "account_pending", language)
        return "pending"
    if not contact.is_active:
        return "refused"
    if contact.user_id:
        _email_contact(contact, "account_exists", language, url=_link_url(LINK_RESET, contact))
        return "exists"
    _email_contact(contact, "account_verify", language, url=_link_url(LINK_SIGNUP, contact))
    return "verify"


@transaction.atomic
def contact_password_set(*, contact, password, language=None):
    """Set the password of an active contact's login, creating and linking the login when the
    contact has none yet. Returns the user (the caller logs them in)."""
    user = contact.user
    if user is None:
        user = User.objects.by_email(contact.email).first()
        if user is not None and Contact.objects.filter(user=user).exists():
            raise ValidationError(
                _("This email already has an account. Use “Can't log in?” to choose a password."),
                code="email_taken",
            )
        if user is None:
            user = user_create(
                email=contact.email, full_name=contact.name, language=language or None
            )
        contact_link_user(contact=contact, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# ---- notify ----
def notification_preferences_save(*, user, values):
    """Store which optional emails `user` receives; `values` maps field names to booleans (only
    the fields of the user's side are given; the others keep their value)."""
    from ventanilla.accounts.models import NotificationPreference

    fields = set(NotificationPreference.CUSTOMER_FIELDS + NotificationPreference.AGENT_FIELDS)
    unknown = set(values) - fields
    if unknown:
        raise ValueError(f"unknown notification kinds: {sorted(unknown)}")
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={name: bool(on) for name, on in values.items()}
    )
    return preference
