"""Shared by the access tests: read the links that the outbox holds."""

import re

from ventanilla.mail.models import OutboundEmail

LINK = re.compile(r"https?://\S+/cuenta/(?:contrasena|crear-cuenta)/[^/\s]+/")


def emails_to(address, template=None):
    rows = OutboundEmail.objects.filter(to=[address.lower()]).order_by("pk")
    return list(rows.filter(template=template) if template else rows)


def link_in(email):
    match = LINK.search(email.body_text)
    assert match, email.body_text
    return match.group(0)


def path_of(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
