from ventanilla.mail.models import InboundEmail

QUARANTINE_PAGE = 100


def inbound_quarantined(*, limit=QUARANTINE_PAGE):
    """Held and failed incoming mail, newest first (raw bytes not loaded)."""
    return list(
        InboundEmail.objects.filter(state=InboundEmail.State.QUARANTINED)
        .defer("raw")
        .order_by("-received_at", "-pk")[:limit]
    )


def inbound_quarantined_count():
    return InboundEmail.objects.filter(state=InboundEmail.State.QUARANTINED).count()
