"""Forms of the agent console: they only parse and validate input; services do the work."""

from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.models import User
from ventanilla.catalog.models import Product, ProductVersion, RequestType
from ventanilla.organizations.models import Contact, Organization
from ventanilla.staff.models import CannedReply, Team, Tier
from ventanilla.tickets.models import Priority, Severity
from ventanilla.tickets.services import TRIAGE_TARGETS
from ventanilla.tickets.workflow import Status


class LocalDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read in the desk's display time zone (Europe/Madrid)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        zone = ZoneInfo(settings.VENTANILLA_DISPLAY_TIME_ZONE)
        return timezone.make_naive(moment, timezone.get_current_timezone()).replace(tzinfo=zone)


def agents():
    return User.objects.filter(agent__is_active=True).order_by("full_name")


class TriageForm(forms.Form):
    request_type = forms.ModelChoiceField(
        RequestType.objects.filter(is_active=True),
        label=_("Request type"),
        required=False,
        empty_label=_("Not specified"),
    )
    product = forms.ModelChoiceField(
        Product.objects.filter(is_active=True), label=_("Product"), empty_label=_("Choose…")
    )
    version = forms.ModelChoiceField(
        ProductVersion.objects.select_related("product"),
        label=_("Version"),
        required=False,
        empty_label=_("Not specified"),
    )
    severity = forms.ChoiceField(choices=Severity, label=_("Severity"))
    priority = forms.ChoiceField(choices=Priority, label=_("Priority"))
    tier = forms.TypedChoiceField(choices=Tier, coerce=int, label=_("Support tier"))
    team = forms.ModelChoiceField(
        Team.objects.all(),
        label=_("Team"),
        required=False,
        empty_label=_("Suggested by product"),
    )
    assignee = forms.ModelChoiceField(
        agents(), label=_("Assign to"), required=False, empty_label=_("Nobody yet")
    )
    next_status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in TRIAGE_TARGETS], label=_("Then")
    )
    planned_at = LocalDateTimeField(
        label=_("Planned for"),
        required=False,
        help_text=_("Required when the case is scheduled."),
    )
    note = forms.CharField(
        label=_("Internal comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("next_status") == Status.SCHEDULED and not data.get("planned_at"):
            self.add_error("planned_at", _("A scheduled case needs a planned date and time."))
        return data


class MessageForm(forms.Form):
    KIND_CHOICES = [("public", _("Reply to the customer")), ("internal", _("Internal note"))]
    kind = forms.ChoiceField(choices=KIND_CHOICES, initial="public", widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)
    send_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    planned_at = LocalDateTimeField(
        label=_("Planned for"), required=False, help_text=_("Required when the case is scheduled.")
    )
    note = forms.CharField(label=_("Comment"), required=False)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s.value, s.label) for s in targets]

    def clean(self):
        data = super().clean()
        if data.get("to_status") == Status.SCHEDULED and not data.get("planned_at"):
            self.add_error("planned_at", _("A scheduled case needs a planned date and time."))
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        agents(), label=_("Assign to"), required=False, empty_label=_("Nobody")
    )


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    team = forms.ModelChoiceField(
        Team.objects.all(), label=_("Team"), required=False, empty_label=_("Next tier")
    )


class RequestInfoForm(forms.Form):
    question = forms.CharField(
        label=_("What do you need from the customer?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class UpdateForm(forms.Form):
    severity = forms.ChoiceField(choices=Severity, label=_("Severity"))
    priority = forms.ChoiceField(choices=Priority, label=_("Priority"))


class CaseNumberForm(forms.Form):
    number = forms.CharField(label=_("Case number"), max_length=24)


class ParticipantForm(forms.Form):
    contact = forms.ModelChoiceField(
        Contact.objects.none(), label=_("Contact"), empty_label=_("Choose a contact…")
    )

    def __init__(self, *args, organization=None, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        if ticket is not None:  # removing: any current participant, whatever their state
            contacts = Contact.objects.filter(participations__ticket=ticket)
        else:
            contacts = Contact.objects.filter(organization=organization, state=Contact.State.ACTIVE)
        self.fields["contact"].queryset = contacts


class SplitForm(forms.Form):
    message = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Subject of the new case"), max_length=200)


class PhoneCaseForm(forms.Form):
    organization = forms.ModelChoiceField(
        Organization.objects.order_by("name"), widget=forms.HiddenInput
    )
    contact = forms.ModelChoiceField(
        Contact.objects.all(), widget=forms.HiddenInput, required=False
    )
    caller_name = forms.CharField(label=_("Caller's name"), max_length=150, required=False)
    caller_email = forms.EmailField(label=_("Caller's email"), required=False)
    caller_phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    product = forms.ModelChoiceField(
        Product.objects.filter(is_active=True),
        label=_("Product"),
        required=False,
        empty_label=_("Not specified"),
    )
    severity = forms.ChoiceField(choices=Severity, label=_("Severity"), initial=Severity.C)

    def clean(self):
        data = super().clean()
        if not data.get("contact") and not data.get("caller_email"):
            self.add_error("caller_email", _("An unknown caller needs an email."))
        return data


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = ["title", "language", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "body": _("Placeholders: {nombre}, {caso}, {asunto}, {agente}."),
        }
