from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Value
from django.db.models.functions import Upper
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def by_email(self, email):
        """Logins with this email whatever its case, through `user_email_upper_idx` (Django's
        `email__iexact` is a LIKE on SQLite and an UPPER() no plain index serves)."""
        return self.filter(Exact(Upper("email"), Upper(Value(email))))

    def get_by_natural_key(self, username):
        return self.by_email(username).get()


class User(AbstractBaseUser, PermissionsMixin):
    """A login. Customers are linked to a Contact; staff have an Agent profile."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("May log in to the admin site.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(Upper("email"), name="user_email_upper_idx")]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email


class AccessAttempt(models.Model):
    """One counted attempt (a failed login, a recovery or sign-up request) for throttling.

    Kept in the database so every web worker sees the same counters. `key` is a hash of the
    email or IP address, never the address itself. Rows older than the window are pruned."""

    class Scope(models.TextChoices):
        LOGIN_EMAIL = "login_email", _("Failed login (email)")
        LOGIN_IP = "login_ip", _("Failed login (IP address)")
        HELP_EMAIL = "help_email", _("Access request (email)")
        HELP_IP = "help_ip", _("Access request (IP address)")

    scope = models.CharField(_("kind"), max_length=16, choices=Scope)
    key = models.CharField(_("key"), max_length=64)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("access attempt")
        verbose_name_plural = _("access attempts")
        indexes = [models.Index(fields=["scope", "key", "created_at"])]

    def __str__(self):
        return f"{self.get_scope_display()} {self.created_at:%Y-%m-%d %H:%M}"


class NotificationPreference(models.Model):
    """Which optional emails a user receives. No row means the defaults (every switch on).

    Mandatory emails (account links, the case-received acknowledgement, the answer to mail on a
    closed case, the "we need something from you" email of seed 000) ignore these switches."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    # customers
    case_status = models.BooleanField(_("case status changes"), default=True)
    case_reply = models.BooleanField(_("replies from support"), default=True)
    # agents
    team_new_case = models.BooleanField(_("new case for my team"), default=True)
    assigned_to_me = models.BooleanField(_("case assigned to me"), default=True)
    customer_replied = models.BooleanField(_("customer replied"), default=True)
    escalated_to_team = models.BooleanField(_("case escalated to my team"), default=True)
    sla_alerts = models.BooleanField(_("SLA warnings"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    CUSTOMER_FIELDS = ("case_status", "case_reply")
    AGENT_FIELDS = (
        "assigned_to_me",
        "customer_replied",
        "team_new_case",
        "escalated_to_team",
        "sla_alerts",
    )

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)
