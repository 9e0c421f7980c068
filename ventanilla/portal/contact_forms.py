"""The contact form of "Gestionar contactos" (the service checks permissions and rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.organizations.models import ALL_SECTIONS, Contact, Section
from ventanilla.organizations.selectors import regions_of, sites_of


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email"), max_length=254)
    position = forms.CharField(label=_("Position"), max_length=120, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    is_billing = forms.BooleanField(label=_("Billing"), required=False)
    is_quotes = forms.BooleanField(label=_("Quotes"), required=False)
    is_technical = forms.BooleanField(label=_("Technical"), required=False)
    role = forms.ChoiceField(
        label=_("Role in the customer area"),
        choices=[
            (Contact.Role.REQUESTER, _("Requester: sees their own cases")),
            (Contact.Role.SITE_MANAGER, _("Site manager: sees the cases of a site")),
            (Contact.Role.REGIONAL_MANAGER, _("Regional manager: sees the cases of a region")),
            (Contact.Role.ORG_ADMIN, _("Organization admin: sees everything and manages contacts")),
        ],
        widget=forms.RadioSelect,
        initial=Contact.Role.REQUESTER,
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False)
    sections = forms.TypedMultipleChoiceField(
        label=_("Sections they may use"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Organization admins always have every section."),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_of(organization)
        self.fields["site"].empty_label = _("No site")
        self.fields["region"].queryset = regions_of(organization)
        self.fields["region"].empty_label = _("No region")
        self.fields["sections"].choices = [
            (int(section), label) for section, label in Section.labels().items()
        ]

    @classmethod
    def initial_for(cls, contact):
        initial = {name: getattr(contact, name) for name in ("name", "email", "position", "phone")}
        initial |= {
            "is_billing": contact.is_billing,
            "is_quotes": contact.is_quotes,
            "is_technical": contact.is_technical,
            "role": contact.role,
            "site": contact.site_id,
            "region": contact.region_id,
            "sections": [int(s) for s in Section if contact.privileges & int(s)],
        }
        return initial

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Contact.Role.SITE_MANAGER and not data.get("site"):
            self.add_error("site", _("A site manager needs a site."))
        if role == Contact.Role.REGIONAL_MANAGER and not data.get("region"):
            self.add_error("region", _("A regional manager needs a region."))
        return data

    def service_fields(self):
        """cleaned_data in the shape of contact_create / contact_update keyword arguments."""
        data = dict(self.cleaned_data)
        privileges = 0
        for value in data.pop("sections", []):
            privileges |= value
        admin = data.get("role") == Contact.Role.ORG_ADMIN
        data["privileges"] = ALL_SECTIONS if admin else privileges
        return data
