"""Forms of the customer area's case pages. They validate input; the services decide the rest."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Product, ProductVersion, RequestType
from ventanilla.lib.uploads import UploadProblem, allowed_extensions, check_uploaded_file
from ventanilla.mail.stamps import StampedCache
from ventanilla.organizations.models import Contact
from ventanilla.tickets.models import Severity

DESCRIPTION_MAX = 900  # seed 000: "Máx. 900 caracteres"
MESSAGE_MAX = 5000
# Severity of the business impact (seed 003): title and examples for each level.
SEVERITY_HELP = {
    "A": (
        _("Critical impact"),
        _("Nobody can work: the service is down, a security incident or data loss."),
    ),
    "B": (
        _("Moderate or high impact"),
        _("Some users cannot work, or everybody works with a degraded service."),
    ),
    "C": (
        _("Minimal impact"),
        _("A question, a request, a change, a minor fault or a suggestion."),
    ),
}


class NormalizedText(forms.CharField):
    """Browsers send new lines as CRLF; count them as one character, like the live counter."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if value else value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by content and size (lib/uploads)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        problems, accepted = [], []
        for uploaded in files:
            try:
                check_uploaded_file(uploaded)
            except UploadProblem as problem:
                problems.append(str(problem))
            else:
                accepted.append(uploaded)
        self.accepted_names = [uploaded.name for uploaded in accepted]
        if problems:
            raise ValidationError(problems, code="attachment")
        return accepted


def attachments_field():
    types = ", ".join(allowed_extensions())
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ",".join(f".{e}" for e in allowed_extensions())}),
        help_text=_("Accepted: %(types)s (%(size)s MB max. each).")
        % {"types": types, "size": settings.VENTANILLA_UPLOAD_MAX_BYTES // (1024 * 1024)},
    )


# ---- the catalogue behind the case form, in memory (branch create, docs/perf-writes.md) ----
#
# The active request types, products and supported versions are configuration: kept per process
# behind the configuration stamp (mail/stamps.py: every save or delete of RequestType, Product or
# ProductVersion renews it, in the transaction of the change; another process sees the change on
# its next read of the stamp, i.e. its next request). A POST of the form then validates its
# choices without a query each: one read of the stamp instead of three.


def _load_catalog_choices():
    versions = ProductVersion.objects.filter(product__is_active=True, is_supported=True)
    return {
        "request_type": {o.pk: o for o in RequestType.objects.filter(is_active=True)},
        "product": {o.pk: o for o in Product.objects.filter(is_active=True)},
        "product_version": {o.pk: o for o in versions.select_related("product")},
    }


_catalog_cache = StampedCache(_load_catalog_choices)


def catalog_choices():
    """{field name: {pk: instance}} of what the case form accepts. Shared read-only instances."""
    return _catalog_cache.get()


class CachedChoiceMixin:
    """A ModelChoiceField that validates against `cached` ({pk: instance}, the same rows as its
    queryset) instead of a query; the queryset still renders the options. Same errors."""

    cached = None

    def to_python(self, value):
        if self.cached is None:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            instance = self.cached.get(self.queryset.model._meta.pk.to_python(value))
        except (ValueError, TypeError, ValidationError):
            instance = None
        if instance is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return instance


class CachedModelChoiceField(CachedChoiceMixin, forms.ModelChoiceField):
    pass


class RequestTypeField(CachedChoiceMixin, forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name_en if get_language() == "en" and obj.name_en else obj.name


class ContactField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.email})"


class VersionSelect(forms.Select):
    """Each version option says its product, so cases.js can show only the chosen product's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-product"] = instance.product_id
        return option


class VersionField(CachedChoiceMixin, forms.ModelChoiceField):
    widget = VersionSelect

    def label_from_instance(self, obj):
        return f"{obj.product.name} {obj.name}"


class CaseOpenForm(forms.Form):
    ORDER = (
        "requester",
        "request_type",
        "product",
        "product_version",
        "severity",
        "subject",
        "description",
        "attachments",
        "callback_requested",
        "callback_phone",
        "consent",
    )
    requester = ContactField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    # The querysets render the options (lazy: built once here, cloned per form, evaluated only
    # when the form is shown); a POST is validated against catalog_choices() instead.
    request_type = RequestTypeField(
        label=_("Request type"),
        queryset=RequestType.objects.filter(is_active=True),
        empty_label=_("Choose…"),
    )
    product = CachedModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True),
        empty_label=_("Choose…"),
    )
    product_version = VersionField(
        label=_("Version"),
        queryset=ProductVersion.objects.filter(
            product__is_active=True, is_supported=True
        ).select_related("product"),
        required=False,
        empty_label=_("I don't know / not applicable"),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.C,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        help_text=_("One specific line, e.g. “Error 500 when exporting invoices to Excel”."),
    )
    description = NormalizedText(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 7, "maxlength": DESCRIPTION_MAX}),
        help_text=_(
            "As detailed as possible: what you did, what happened, the exact error message, "
            "since when and who is affected. 900 characters max."
        ),
    )
    callback_requested = forms.BooleanField(label=_("I want a phone call"), required=False)
    callback_phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I consent to the processing of my data so that %(brand)s can answer my request."),
        error_messages={
            "required": _("Please tick the consent box: we need it to answer your request.")
        },
    )

    def __init__(self, *args, contact, requesters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact
        self.fields["attachments"] = attachments_field()
        self.order_fields(self.ORDER)
        consent = self.fields["consent"]
        consent.label = consent.label % {"brand": settings.VENTANILLA_BRAND}
        catalog = catalog_choices()  # validation from memory (one stamp read), see above
        for name in ("request_type", "product", "product_version"):
            self.fields[name].cached = catalog[name]
        self.fields["product"].required = bool(catalog["product"])
        if requesters is None:
            del self.fields["requester"]
        else:
            field = self.fields["requester"]
            field.queryset = requesters
            field.required = True
            field.empty_label = None
            self.initial.setdefault("requester", contact.pk)
        self.initial.setdefault("callback_phone", contact.phone)

    def clean(self):
        data = super().clean()
        product, version = data.get("product"), data.get("product_version")
        if version is not None and version.product_id != getattr(product, "pk", None):
            self.add_error(
                "product_version", _("The version does not belong to the chosen product.")
            )
        if data.get("callback_requested") and not (data.get("callback_phone") or "").strip():
            self.add_error("callback_phone", _("Tell us the phone number to call you on."))
        return data

    def files_to_attach_again(self):
        """Names of the files that passed the checks but the browser cannot keep after an error."""
        if not self.is_bound or not self.errors:
            return []
        field = self.fields["attachments"]
        return getattr(field, "accepted_names", [])


class CaseReplyForm(forms.Form):
    text = NormalizedText(
        label=_("Write a message"),
        max_length=MESSAGE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = attachments_field()

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("text") and not data.get("attachments"):
            raise ValidationError(_("Write a message or attach a file."))
        return data


class CaseCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling it? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CaseListFilters(forms.Form):
    """The query string of the case list. Wrong values are ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    scope = forms.CharField(required=False)
    group = forms.CharField(required=False)
    status = forms.CharField(required=False)
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        empty_label=_("Product"),
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("Severity")), *Severity.choices], required=False
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=None, required=False, empty_label=_("Site")
    )
    requester = ContactField(
        label=_("Requester"), queryset=None, required=False, empty_label=_("Requester")
    )
    order = forms.CharField(required=False)

    def __init__(self, *args, sites, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["requester"].queryset = people

    def value(self, name):
        """The cleaned value, or the empty value when it was wrong."""
        if not self.is_bound:
            return None
        if name in self.errors:
            return None
        return self.cleaned_data.get(name)
