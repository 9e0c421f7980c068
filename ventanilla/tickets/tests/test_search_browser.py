"""Staff search in the console, in a real browser and in Spanish: the box says what it searches,
typing narrows the queue (htmx), an internal note's word finds its case, and an empty result
names the query. Screenshots: var/screenshots/search-*.png."""

import pytest
from django.urls import reverse

from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD
from ventanilla.tickets.services import ticket_add_note

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_searches_the_queue(page, live_server, cast, make_ticket):
    make_ticket(subject="La impresora de albaranes no imprime", description="Sale en blanco.")
    invoices = make_ticket(subject="Facturas duplicadas en la remesa de octubre")
    ticket_add_note(ticket=invoices, by=cast.agent_l1, text="Revisar el cortafuegos del banco")
    login(page, live_server.url, cast.agent_l1.email, PASSWORD)
    page.goto(live_server.url + reverse("console:all"))
    box = page.get_by_role("searchbox", name="Buscar por número, asunto o texto")
    assert box.get_attribute("placeholder") == "Buscar por número, asunto o texto"

    box.fill("factura")
    page.locator("#queue-results", has_text=invoices.number).wait_for()
    page.wait_for_function(
        "!document.querySelector('#queue-results').textContent.includes('impresora de albaranes')"
    )
    screenshot(page, "search-console-results")

    box.fill("cortafueg")  # a prefix of a word written only in an internal note
    page.wait_for_url(lambda url: "q=cortafueg" in url)
    page.locator("#queue-results", has_text=invoices.number).wait_for()

    box.fill("ornitorrinco")
    page.get_by_text("Ningún caso coincide con «ornitorrinco».").wait_for()
    screenshot(page, "search-console-empty")
