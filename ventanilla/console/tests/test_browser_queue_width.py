"""The queue table fits a 1280 px laptop screen: no column is cut off behind a scroll bar."""

import pytest
from django.urls import reverse

from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_untriaged_queue_fits_a_laptop_screen(page, live_server, cast, make_ticket):
    make_ticket(subject="La impresora de albaranes del almacén central no imprime desde ayer")
    make_ticket(subject="La VPN de la sede se desconecta cada hora", severity="A")
    login(page, live_server.url, cast.agent_l1.email, PASSWORD)
    page.goto(live_server.url + reverse("console:untriaged"))
    wrap = page.locator(".queue .table-wrap")
    widths = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    screenshot(page, "console-queue-laptop")
    assert widths[0] <= widths[1], widths
    header = page.get_by_role("columnheader", name="Última actividad")
    assert header.is_visible()
    box, frame = header.bounding_box(), wrap.bounding_box()
    assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 1
