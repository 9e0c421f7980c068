"""The customer's whole journey in a real browser, in Spanish (issue 3's acceptance test):
log in, open a case with a pasted screenshot, see it listed, write a message, get it resolved by
an agent, see the reminder, rate it from the email link, and see the reminder disappear.
Screenshots: var/screenshots/journey-*.png."""

import base64
import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from ventanilla.mail.models import OutboundEmail
from ventanilla.portal.tests.test_browser_cases import PASTE_PNG
from ventanilla.testing.browser import login, logout, screenshot
from ventanilla.testing.cast import PASSWORD
from ventanilla.testing.factories import PNG_1PX
from ventanilla.tickets.models import Rating, Ticket
from ventanilla.tickets.services import ticket_reply, ticket_resolve, ticket_triage
from ventanilla.tickets.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBJECT = "El TPV no imprime el ticket de venta"


def open_case_with_a_pasted_screenshot(page, base):
    page.goto(f"{base}{reverse('portal:case_new')}")
    page.get_by_label("Tipo de solicitud").select_option(index=1)
    page.get_by_label("Producto").select_option(label="GestiónPro")
    page.locator("label.sev-option--b").click()
    page.get_by_label("Asunto").fill(SUBJECT)
    page.locator("textarea[name=description]").fill(
        "Desde la actualización de ayer la impresora del TPV no saca el ticket. Adjunto captura."
    )
    page.evaluate(PASTE_PNG, base64.b64encode(PNG_1PX).decode())
    page.locator(".filelist__item").first.wait_for()
    page.locator("input[name=consent]").check()
    screenshot(page, "journey-1-new-case")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar").click()
    return Ticket.objects.get(subject=SUBJECT)


def test_customer_journey_from_login_to_rating(page, live_server, cast):
    base = live_server.url
    login(page, base, cast.customer.email, PASSWORD)
    assert page.locator("#rating-reminder").count() == 0

    ticket = open_case_with_a_pasted_screenshot(page, base)
    assert page.get_by_text(f"El caso {ticket.number} está abierto").is_visible()
    assert ticket.attachments.get().content_type == "image/png"
    assert OutboundEmail.objects.filter(ticket=ticket, template="ticket_received").exists()
    screenshot(page, "journey-2-case-page")

    page.goto(f"{base}{reverse('portal:case_list')}")
    row = page.locator(".case-table tbody tr").filter(has_text=ticket.number)
    assert row.count() == 1 and "esperando ayuda" in row.inner_text().lower()
    screenshot(page, "journey-3-my-cases")

    row.get_by_role("link", name=ticket.number).click()
    page.get_by_label("Escribir mensaje").fill("Es la impresora Epson de la caja 2.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar mensaje").click()
    assert page.locator(".msg").filter(has_text="Epson de la caja 2").is_visible()

    # An agent triages, answers and resolves it (the console's services, as agents use them).
    ticket_triage(ticket=ticket, by=cast.agent_l1, product=cast.products["erp"])
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Reinstalamos el controlador.")
    ticket_resolve(ticket=ticket, by=cast.agent_l1, resolution="Controlador actualizado.")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED

    # At the next login the home reminds the customer to rate it.
    logout(page)
    login(page, base, cast.customer.email, PASSWORD)
    reminder = page.locator("#rating-reminder")
    assert ticket.number in reminder.inner_text()
    screenshot(page, "journey-4-home-reminder")

    # The resolution email carries one signed link per score; the customer clicks "5".
    email = OutboundEmail.objects.filter(
        ticket=ticket, template="ticket_status", to=[cast.customer.email]
    ).latest("pk")
    links = re.findall(r"https?://\S+/area/valoraciones/enlace/\S+/", email.body_text)
    assert len(links) == 5
    page.goto(f"{base}{urlsplit(links[4]).path}")
    page.get_by_role("button", name="Confirmar mi valoración").click()
    page.get_by_role("heading", name="¡Gracias por tu valoración!").wait_for()
    screenshot(page, "journey-5-rated")
    assert Rating.objects.get(ticket=ticket).score == 5

    page.goto(f"{base}{reverse('portal:home')}")
    assert page.locator("#rating-reminder").count() == 0
    screenshot(page, "journey-6-home-after-rating")
