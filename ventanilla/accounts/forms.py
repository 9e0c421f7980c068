from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts import throttle
from ventanilla.lib.taxid import normalize_tax_id, tax_id_kind


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("The email or the password is not right. Please try again."),
        "inactive": _("This account is not active."),
    }

    def clean(self):
        """Refuse without checking the password while the email or the address is locked out;
        count failures; a success clears the email's counter (see accounts/throttle.py)."""
        email = (self.cleaned_data.get("username") or "").lower()
        ip = throttle.client_ip(self.request) if self.request else "unknown"
        if wait := throttle.login_wait(email=email, ip=ip):
            raise ValidationError(throttle.wait_message(wait), code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            if email and self.cleaned_data.get("password"):
                throttle.login_failed(email=email, ip=ip)
                if wait := throttle.login_wait(email=email, ip=ip):
                    raise ValidationError(throttle.wait_message(wait), code="locked") from None
            raise
        throttle.login_succeeded(email=email)
        return cleaned


def _text(label, *, max_length, autocomplete, help_text="", required=True):
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": autocomplete}),
    )


class CompanyKeysMixin(forms.Form):
    """Client code + CIF, the two keys printed on every invoice (seed 000)."""

    code = _text(
        _("Client code"),
        max_length=20,
        autocomplete="off",
        help_text=_("You can find your client code and CIF on your last invoice."),
    )
    tax_id = _text(_("CIF"), max_length=20, autocomplete="off")

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    def clean_tax_id(self):
        value = normalize_tax_id(self.cleaned_data["tax_id"])
        if tax_id_kind(value) is None:
            raise ValidationError(
                _("This CIF does not look right: check its letters and digits."),
                code="invalid_tax_id",
            )
        return value


def _email_field():
    return forms.EmailField(
        label=_("Your email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class RecoverForm(CompanyKeysMixin):
    email = _email_field()
    field_order = ["code", "tax_id", "email"]


class SignupForm(CompanyKeysMixin):
    name = _text(_("Full name"), max_length=150, autocomplete="name")
    email = _email_field()
    phone = _text(_("Phone"), max_length=30, autocomplete="tel", required=False)
    field_order = ["name", "email", "code", "tax_id", "phone"]


class PasswordChooseForm(forms.Form):
    """A new password, typed twice, checked by Django's password validators."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_(
            "At least 8 characters. Avoid common passwords, only digits, or your name or email."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )
    password2 = forms.CharField(
        label=_("Repeat the new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


# ---- notify: "Mis notificaciones" (customers) and "Mis avisos" (agents) ----
CUSTOMER_GROUPS = (
    (
        _("My support cases"),
        _("Emails about the cases you opened or in which you take part."),
        (
            (
                "case_status",
                _("Progress of my cases"),
                _("When we triage a case, start working on it, plan it, resolve it or close it."),
            ),
            (
                "case_reply",
                _("Replies from the support team"),
                _("When an agent writes a message on one of your cases."),
            ),
        ),
    ),
)
CUSTOMER_MANDATORY = (
    _("The acknowledgement with the number of every case you open."),
    _("When we need information from you to go on (case waiting on the customer)."),
    _("The automatic answer when you write to a closed case."),
    _("Access links to your account (verification, password reset)."),
)
AGENT_GROUPS = (
    (
        _("My cases"),
        _("Cases assigned to you."),
        (
            (
                "assigned_to_me",
                _("A case is assigned to me"),
                _("When someone else gives you a case (assignment or triage)."),
            ),
            (
                "customer_replied",
                _("The customer replied"),
                _("When the customer writes on a case assigned to you, in the area or by email."),
            ),
        ),
    ),
    (
        _("My team"),
        _("Cases that arrive at your teams."),
        (
            (
                "team_new_case",
                _("New case for my team"),
                _(
                    "When a case is opened for one of your teams. Cases not triaged yet go to "
                    "the agents of the L1 teams (or to the supervisors when there are none)."
                ),
            ),
            (
                "escalated_to_team",
                _("Case escalated to my team"),
                _("When a case is escalated from another tier to one of your teams."),
            ),
        ),
    ),
    (
        _("SLA"),
        _("Service level deadlines."),
        (
            (
                "sla_alerts",
                _("SLA warnings and breaches"),
                _("When a deadline of a case of yours or of your team is close or missed."),
            ),
        ),
    ),
)
AGENT_MANDATORY = (_("Access links to your account (verification, password reset)."),)


class NotificationPreferenceForm(forms.Form):
    """One checkbox per optional email of one side (customer or agent), in groups."""

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = groups
        for _title, _sub, items in groups:
            for name, label, help_text in items:
                self.fields[name] = forms.BooleanField(
                    label=label, help_text=help_text, required=False
                )

    def grouped(self):
        """[(title, subtitle, [bound field, …])] for the template."""
        return [
            (title, sub, [self[name] for name, _label, _help in items])
            for title, sub, items in self.groups
        ]
