"""Forms of the SLA policy and automation pages (slaedit branch). Validation of targets lives in
`sla.services` (the same rules for every door); these forms only collect the input."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ventanilla.sla.models import Automation, SlaPolicy, TargetKind, Unit
from ventanilla.tickets.models import Channel, Priority, Severity


def _any(choices):
    return [("", _("Any")), *choices]


class PolicyForm(forms.ModelForm):
    severity = forms.ChoiceField(
        label=_("Severity"), choices=_any(Severity.choices), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=_any(Priority.choices), required=False
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=_any(Channel.choices), required=False)
    warning_percent = forms.IntegerField(
        label=_("Warn at (% of the target)"),
        error_messages={"invalid": _("Enter a whole number.")},
        widget=forms.NumberInput(attrs={"min": "1", "max": "99"}),
        help_text=_("When this share of the time has passed, the warning is sent."),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "kind",
            "is_active",
            "severity",
            "priority",
            "organization",
            "product",
            "request_type",
            "channel",
            "calendar",
            "warning_percent",
            "notify_assignee",
            "notify_team",
            "notify_supervisors",
            "breach_raise_tier",
            "breach_reassign_to",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("organization", "product", "request_type"):
            self.fields[name].empty_label = _("Any")
        self.fields["calendar"].empty_label = _("Default office calendar")
        self.fields["breach_reassign_to"].queryset = (
            get_user_model().objects.filter(agent__is_active=True).order_by("full_name")
        )
        self.fields["breach_reassign_to"].empty_label = _("Nobody")
        self.fields["is_active"].label = pgettext_lazy("sla rule", "Active")

    def clean_warning_percent(self):
        value = self.cleaned_data["warning_percent"]
        if not 1 <= value <= 99:
            raise forms.ValidationError(_("Choose a share between 1 and 99 %."))
        return value

    def _post_clean(self):
        # The service validates the whole policy (one door); keep the form's errors only.
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields)


TARGET_UNITS = [("", "—"), *Unit.choices]


class TargetForm(forms.Form):
    target = forms.ChoiceField(choices=TargetKind.choices, widget=forms.HiddenInput)
    amount = forms.IntegerField(
        label=_("Amount"),
        required=False,
        error_messages={"invalid": _("Enter a whole number.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=TARGET_UNITS, required=False)

    def clean(self):
        data = super().clean()
        if data.get("amount") is not None and not data.get("unit"):
            self.add_error("unit", _("Choose the unit."))
        if data.get("unit") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Enter the amount, or choose no unit to leave it out."))
        return data

    @property
    def label(self):
        return TargetKind(self.initial.get("target") or self.data.get(self.add_prefix("target")))

    def value(self):
        """(target, (amount, unit)) when set, else None."""
        data = self.cleaned_data
        if data.get("amount") is None or not data.get("unit"):
            return None
        return data["target"], (data["amount"], data["unit"])


TargetFormSet = forms.formset_factory(TargetForm, extra=0)


def target_formset(policy, data=None):
    current = {t.target: t for t in policy.targets.all()} if policy.pk else {}
    initial = [
        {
            "target": kind,
            "amount": getattr(current.get(kind), "amount", None),
            "unit": getattr(current.get(kind), "unit", ""),
        }
        for kind in TargetKind.values
    ]
    return TargetFormSet(data, initial=initial, prefix="targets")


class AutomationForm(forms.ModelForm):
    severity = forms.ChoiceField(
        label=_("Only for severity"), choices=_any(Severity.choices), required=False
    )
    after_amount = forms.IntegerField(
        label=_("For at least"),
        error_messages={"invalid": _("Enter a whole number.")},
        widget=forms.NumberInput(attrs={"min": "1"}),
    )

    def clean_after_amount(self):
        value = self.cleaned_data["after_amount"]
        if value <= 0:
            raise forms.ValidationError(_("Enter an amount greater than zero."))
        return value

    class Meta:
        model = Automation
        fields = [
            "name",
            "is_active",
            "trigger",
            "after_amount",
            "after_unit",
            "action",
            "severity",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["is_active"].label = pgettext_lazy("sla rule", "Active")

    def _post_clean(self):
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields)
