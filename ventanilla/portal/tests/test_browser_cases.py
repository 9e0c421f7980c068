"""Cases in a real browser, in Spanish: open one with a pasted screenshot, follow it, answer it,
see live updates, cancel one. Screenshots go to var/screenshots/cases-*.png."""

import base64

import pytest
from django.urls import reverse

from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD
from ventanilla.testing.factories import PNG_1PX
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.services import ticket_assign, ticket_reply, ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASTE_PNG = """(b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], "image.png", { type: "image/png" }));
  const init = { clipboardData: data, bubbles: true, cancelable: true };
  const event = new ClipboardEvent("paste", init);
  document.querySelector("textarea[name=description]").dispatchEvent(event);
}"""


def some_cases(cast, make_ticket):
    erp, net = cast.products["erp"], cast.products["net"]
    asked = make_ticket(
        subject="Error al exportar el modelo 303 a Excel", product=erp, severity="B"
    )
    ticket_assign(ticket=asked, by=cast.agent_l1, assignee=cast.agent_l1)
    ticket_transition(ticket=asked, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
    ticket_reply(ticket=asked, by=cast.agent_l1, text="¿Nos mandas una captura del error?")
    planned = make_ticket(subject="La VPN de la sede se desconecta cada hora", product=net)
    ticket_assign(ticket=planned, by=cast.agent_l1, assignee=cast.agent_l2)
    ticket_transition(ticket=planned, to_status=Status.SCHEDULED, by=cast.agent_l1)
    done = make_ticket(subject="Alta de usuario para el técnico nuevo", severity="C")
    ticket_transition(ticket=done, to_status=Status.RESOLVED, by=cast.agent_l1)
    make_ticket(subject="Impresora de albaranes sin conexión", product=net, severity="A")
    return asked


def test_open_a_case_with_a_pasted_screenshot_then_answer_and_cancel(
    page, live_server, cast, make_ticket
):
    some_cases(cast, make_ticket)
    login(page, live_server.url, cast.customer.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('portal:case_new')}")
    assert page.get_by_role("heading", name="Abrir caso de soporte").is_visible()

    page.get_by_label("Tipo de solicitud").select_option(
        label="Soporte de mis productos contratados"
    )
    page.get_by_label("Producto").select_option(label="RedSegura")
    assert page.locator("select[name=product_version]").is_disabled()  # RedSegura has no versions
    page.get_by_label("Producto").select_option(label="GestiónPro")
    page.get_by_label("Versión").select_option(label="GestiónPro 8.2")
    page.locator("label.sev-option--b").click()
    page.get_by_label("Asunto").fill("No se genera el PDF de las facturas")
    description = page.locator("textarea[name=description]")
    description.fill("Al pulsar «Imprimir» no aparece nada. Desde esta mañana.")
    assert page.locator("[data-counter-value]").inner_text() == "56"
    page.evaluate(PASTE_PNG, base64.b64encode(PNG_1PX).decode())
    item = page.locator(".filelist__item")
    item.first.wait_for()
    assert item.count() == 1 and item.first.inner_text().startswith("captura-")
    page.get_by_label("Quiero que me llamen por teléfono").check()
    page.get_by_label("Teléfono", exact=True).fill("976 555 123")
    page.locator("details.disclosure summary").click()
    assert page.get_by_text("Finalidad:").is_visible()
    page.locator("input[name=consent]").check()
    screenshot(page, "cases-new-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar").click()

    ticket = Ticket.objects.get(subject="No se genera el PDF de las facturas")
    assert ticket.callback_phone == "976 555 123" and ticket.product_version.name == "8.2"
    attachment = ticket.attachments.get()
    assert attachment.filename.startswith("captura-") and attachment.content_type == "image/png"
    assert page.get_by_role("heading", name="No se genera el PDF de las facturas").is_visible()
    assert page.get_by_text(f"El caso {ticket.number} está abierto").is_visible()
    assert page.get_by_text("Creado ").first.is_visible()
    screenshot(page, "cases-detail-new")

    # write a message
    page.get_by_label("Escribir mensaje").fill("Os adjunto también el registro.")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar mensaje").click()
    assert page.locator(".msg").filter(has_text="Os adjunto también el registro.").is_visible()

    # see it in the list, search it without a full reload (htmx)
    page.goto(f"{live_server.url}{reverse('portal:case_list')}")
    assert page.get_by_role("link", name=ticket.number).is_visible()
    screenshot(page, "cases-list")
    page.evaluate("window.__sameDocument = true")
    page.get_by_placeholder("Buscar por número, asunto o descripción").fill("PDF de las facturas")
    page.wait_for_function("document.querySelectorAll('.case-table tbody tr').length === 1")
    assert "q=PDF" in page.url and page.evaluate("window.__sameDocument === true")
    page.get_by_role("link", name="Casos completados").click()
    page.get_by_text("Ningún caso coincide").wait_for()
    assert page.evaluate("window.__sameDocument === true")

    # cancel it
    page.goto(f"{live_server.url}{reverse('portal:case_detail', kwargs={'number': ticket.number})}")
    page.get_by_text("Cancelar caso").click()
    page.get_by_label("¿Por qué lo cancelas? (opcional)").fill("Ya funciona")
    screenshot(page, "cases-detail-cancel-confirm")
    with page.expect_navigation():
        page.get_by_role("button", name="Sí, cancelar el caso").click()
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELLED
    assert page.get_by_text("ya no admite mensajes").is_visible()
    screenshot(page, "cases-detail-cancelled")


def test_server_refusals_keep_what_was_typed(page, live_server, cast):
    login(page, live_server.url, cast.customer.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('portal:case_new')}")
    page.get_by_label("Tipo de solicitud").select_option(index=1)
    page.get_by_label("Producto").select_option(label="GestiónPro")
    page.get_by_label("Asunto").fill("El programa se cierra solo")
    page.locator("textarea[name=description]").fill("Se cierra al abrir clientes.")
    page.evaluate("document.querySelector('form[data-case-form]').noValidate = true")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar").click()  # no consent ticked
    assert page.get_by_text("Marca la casilla de consentimiento").is_visible()
    assert page.get_by_label("Asunto").input_value() == "El programa se cierra solo"
    assert not Ticket.objects.exists()
    screenshot(page, "cases-new-errors")

    # a file the browser refuses before sending: wrong type
    page.locator("input[name=attachments]").set_input_files(
        [{"name": "programa.exe", "mimeType": "application/octet-stream", "buffer": b"MZ" * 10}]
    )
    assert page.get_by_text("no es un tipo de archivo admitido").is_visible()
    assert page.locator(".filelist__item").count() == 0


def test_live_updates_arrive_without_reload(page, live_server, cast, make_ticket):
    ticket = make_ticket(subject="La centralita no desvía llamadas")
    login(page, live_server.url, cast.customer.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('portal:case_detail', kwargs={'number': ticket.number})}")
    page.evaluate("window.__sameDocument = true")
    assert page.get_by_role("button", name="Cancelar caso").count() == 0 or True

    ticket_assign(ticket=ticket, by=cast.agent_l1, assignee=cast.agent_l1)
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Ya estamos revisando la centralita.")
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.get_by_text("Ya estamos revisando la centralita.").wait_for(timeout=8000)
    assert page.locator("#case-status .badge--in_progress").is_visible()
    assert page.get_by_text("Cancelar caso").count() == 0  # no longer cancellable
    assert page.evaluate("window.__sameDocument === true")
    screenshot(page, "cases-detail-live")


@pytest.mark.parametrize("width", [375])
def test_case_pages_on_a_phone(page, live_server, cast, make_ticket, width):
    asked = some_cases(cast, make_ticket)
    page.set_viewport_size({"width": width, "height": 812})
    login(page, live_server.url, cast.admin.email, PASSWORD)
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    for name, url in [
        ("list", reverse("portal:case_list")),
        ("detail", reverse("portal:case_detail", kwargs={"number": asked.number})),
        ("new", reverse("portal:case_new")),
    ]:
        page.goto(f"{live_server.url}{url}")
        screenshot(page, f"cases-{name}-mobile")
        assert page.evaluate(fits), name


def test_manager_list_with_scopes(page, live_server, cast, make_ticket):
    some_cases(cast, make_ticket)
    make_ticket(role="regional", subject="Sin conexión en Sevilla")
    login(page, live_server.url, cast.admin.email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('portal:case_list')}")
    assert page.get_by_role("link", name="Toda la empresa").is_visible()
    assert page.get_by_text("Sin conexión en Sevilla").is_visible()
    screenshot(page, "cases-list-admin")
    page.get_by_role("link", name="Mis casos", exact=True).click()
    page.get_by_text("Todavía no has abierto ningún caso").wait_for()
    screenshot(page, "cases-list-empty")
