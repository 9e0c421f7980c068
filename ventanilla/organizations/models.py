import enum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.lib.taxid import normalize_tax_id, tax_id_kind


def validate_tax_id(value):
    if tax_id_kind(normalize_tax_id(value)) is None:
        raise ValidationError(
            _("“%(value)s” is not a valid Spanish CIF, NIF or NIE (check the control character)."),
            code="invalid_tax_id",
            params={"value": value},
        )


class Organization(models.Model):
    """A customer company."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("client code"), max_length=20, unique=True)
    tax_id = models.CharField(_("CIF"), max_length=12, unique=True, validators=[validate_tax_id])
    address = models.CharField(_("address"), max_length=250, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="ES")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email_domain = models.CharField(
        _("email domain"), max_length=120, blank=True, help_text=_("Used to recognise senders.")
    )
    exclusive_support = models.BooleanField(
        _("exclusive support"), default=False, help_text=_("Premium contract with callbacks.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Region(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="regions",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="region_unique_name")
        ]

    def __str__(self):
        return self.name


class Site(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="sites", verbose_name=_("organization")
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sites",
        verbose_name=_("region"),
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=250, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="site_unique_name")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.region_id and self.region.organization_id != self.organization_id:
            raise ValidationError({"region": _("The region belongs to another organization.")})


class Section(enum.IntFlag):
    """Sections of the customer area a contact may use (seed 002: each can be locked)."""

    CASES = 1
    CONTACTS = 2
    COMPANY = 4
    SERVICES = 8
    RENEWALS = 16
    INVOICES = 32
    WORK_REPORTS = 64
    INVENTORY = 128

    @classmethod
    def labels(cls):
        return {
            cls.CASES: _("Support cases"),
            cls.CONTACTS: _("Contacts"),
            cls.COMPANY: _("Company data"),
            cls.SERVICES: _("Contracted services"),
            cls.RENEWALS: _("Renewals"),
            cls.INVOICES: _("Invoices"),
            cls.WORK_REPORTS: _("Work reports"),
            cls.INVENTORY: _("IT inventory"),
        }


ALL_SECTIONS = int(
    Section.CASES
    | Section.CONTACTS
    | Section.COMPANY
    | Section.SERVICES
    | Section.RENEWALS
    | Section.INVOICES
    | Section.WORK_REPORTS
    | Section.INVENTORY
)


PENDING_REASONS = {
    "signup": _("Asked for an account on the customer area"),
    "recover": _("Could not sign in and asked for access"),
    "phone": _("Called support by phone"),
    "email": _("Wrote to support by email"),
    "cc": _("Was copied on a support email"),
}


class Contact(models.Model):
    """A person of a customer organization who may ask for support."""

    class Role(models.TextChoices):
        REQUESTER = "requester", _("Requester")
        SITE_MANAGER = "site_manager", _("Site manager")
        REGIONAL_MANAGER = "regional_manager", _("Regional manager")
        ORG_ADMIN = "org_admin", _("Organization admin")

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        PENDING = "pending", _("Pending approval")
        REJECTED = "rejected", _("Rejected")
        INACTIVE = "inactive", _("Deactivated")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name=_("organization"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name=_("login"),
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.CharField(_("position"), max_length=120, blank=True)
    is_billing = models.BooleanField(_("billing contact"), default=False)
    is_quotes = models.BooleanField(_("quotes contact"), default=False)
    is_technical = models.BooleanField(_("technical contact"), default=True)
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.ACTIVE)
    role = models.CharField(_("portal role"), max_length=20, choices=Role, default=Role.REQUESTER)
    site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("site"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("region"),
    )
    privileges = models.PositiveIntegerField(_("section privileges"), default=int(Section.CASES))
    pending_reason = models.CharField(_("why pending"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "email"], name="contact_unique_email"),
            models.CheckConstraint(
                condition=~Q(role="site_manager") | Q(site__isnull=False),
                name="contact_site_manager_has_site",
            ),
            models.CheckConstraint(
                condition=~Q(role="regional_manager") | Q(region__isnull=False),
                name="contact_regional_manager_has_region",
            ),
        ]
        indexes = [
            models.Index(fields=["email"]),
            models.Index(fields=["organization", "state"]),
            # Email intake finds the sender case-insensitively on every message: the lookup is
            # written as UPPER(email) = UPPER(%s) (contacts_by_email) so that this index serves
            # it on SQLite and PostgreSQL alike (iexact compiles to LIKE on SQLite: no index).
            models.Index(Upper("email"), name="contact_email_upper_idx"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"

    @property
    def is_active(self):
        return self.state == self.State.ACTIVE

    @property
    def pending_reason_label(self):
        """Why this person is waiting for approval, in the reader's language (the doors that
        create pending contacts store a short code; free text is shown as it is)."""
        return PENDING_REASONS.get(self.pending_reason, self.pending_reason)

    def has_section(self, section):
        if self.role == self.Role.ORG_ADMIN:
            return True
        return bool(self.privileges & int(section))

    def sections(self):
        return [section for section in Section if self.has_section(section)]

    def kinds(self):
        labels = [(self.is_billing, _("Billing")), (self.is_quotes, _("Quotes"))]
        labels.append((self.is_technical, _("Technical")))
        return [label for flag, label in labels if flag]
