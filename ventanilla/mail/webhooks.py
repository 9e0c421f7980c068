"""Inbound webhooks from email providers, through django-anymail (its signature checks).

Mailgun: a receiving route with `forward("https://…/correo/entrante/mailgun/")` posting the raw
MIME ("body-mime", Mailgun's `.../mime` style URL) or the parsed fields. The view is disabled
(404) until MAILGUN_WEBHOOK_SIGNING_KEY is set, so that an empty key can never validate a forged
request. A message that cannot be stored answers 500 and Mailgun retries it.
"""

from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ventanilla.mail.intake import inbound_receive
from ventanilla.mail.models import InboundEmail


def _signing_key():
    return (getattr(settings, "ANYMAIL", {}) or {}).get("MAILGUN_WEBHOOK_SIGNING_KEY", "")


class MailgunIntakeView(MailgunInboundWebhookView):
    def post(self, request, *args, **kwargs):
        self.run_validators(request)  # anymail: signature (HMAC-SHA256 of timestamp + token)
        raw = request.POST.get("body-mime")
        if raw is not None:
            raw = raw.encode("utf-8", "surrogateescape")
        else:
            raw = self.parse_events(request)[0].message.as_bytes()
        recipient = request.POST.get("recipient", "")
        inbound_receive(
            raw,
            InboundEmail.Source.WEBHOOK,
            detail="mailgun",
            envelope_to=[r.strip() for r in recipient.split(",") if r.strip()],
        )
        return HttpResponse()


@csrf_exempt
def mailgun_inbound(request, *args, **kwargs):
    """Built per request so that the signing key follows the settings; 404 without a key."""
    key = _signing_key()
    if not key:
        raise Http404("Mailgun inbound webhook not configured")
    return MailgunIntakeView.as_view(webhook_signing_key=key)(request, *args, **kwargs)
