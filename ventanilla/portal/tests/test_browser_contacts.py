"""In a real browser, in Spanish: an admin manages contacts and approves a pending one from the
email link; a customer rates a case from the email link and the home reminder goes away.

Screenshots: var/screenshots/contacts-*.png, rating-*.png."""

import re
from urllib.parse import urlsplit

import pytest

from ventanilla.mail.models import OutboundEmail
from ventanilla.organizations.models import Contact
from ventanilla.organizations.services import contact_pending_create
from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD
from ventanilla.tickets.models import Rating
from ventanilla.tickets.services import ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def link_path(text, pattern):
    url = re.search(rf"https?://\S+{pattern}\S*/", text).group(0)
    return urlsplit(url).path


def test_admin_adds_edits_and_deactivates_a_contact(page, live_server, cast):
    contact_pending_create(
        organization=cast.orgs["a"],
        name="Raúl Pardo",
        email="raul@talleresebro.test",
        reason="Llamó por teléfono: dice ser el nuevo técnico de Huesca",
        phone="974 555 010",
    )
    login(page, live_server.url, cast.admin.email, PASSWORD)
    page.get_by_role("navigation", name="Área de clientes").get_by_text(
        "Gestionar contactos"
    ).click()
    page.get_by_role("heading", name="Gestionar contactos", level=1).wait_for()
    assert page.get_by_text("Pendientes de tu aprobación").is_visible()
    screenshot(page, "contacts-list")

    page.get_by_role("link", name="Añadir contacto").first.click()
    page.get_by_label("Nombre", exact=True).fill("Elena Soler")
    page.get_by_label("Correo electrónico").fill(
        "lucia@talleresebro.test"
    )  # taken: the error keeps the rest
    page.get_by_label("Cargo", exact=True).fill("Contable")
    page.get_by_label("Facturación").check()
    page.get_by_label("Responsable de sede: ve los casos de una sede").check()
    page.get_by_role("button", name="Añadir contacto").click()
    assert page.get_by_text("Un responsable de sede necesita una sede.").is_visible()
    assert page.get_by_label("Cargo", exact=True).input_value() == "Contable"
    page.get_by_label("Sede", exact=True).select_option(label="Huesca")
    page.get_by_role("button", name="Añadir contacto").click()
    assert page.get_by_text("Tu organización ya tiene un contacto con este email.").is_visible()
    screenshot(page, "contacts-form-errors")
    page.get_by_label("Correo electrónico").fill("elena@talleresebro.test")
    page.get_by_role("button", name="Añadir contacto").click()
    page.get_by_text("Elena Soler se ha añadido a tus contactos.").wait_for()

    page.get_by_role("link", name="Editar a Elena Soler").click()
    page.get_by_label("Teléfono").fill("976 123 456")
    page.get_by_label("Presupuestos").check()
    screenshot(page, "contacts-form-edit")
    page.get_by_role("button", name="Guardar cambios").click()
    page.get_by_text("Se han guardado los cambios de Elena Soler.").wait_for()
    row = page.locator("tr[data-contact='elena@talleresebro.test']")
    assert "976 123 456" in row.inner_text() and "Presupuestos" in row.inner_text()

    page.get_by_role("link", name="Editar a Elena Soler").click()
    page.get_by_role("button", name="Desactivar").click()
    page.get_by_text("Elena Soler está desactivado").wait_for()
    assert "Desactivado" in row.inner_text()
    assert Contact.objects.get(email="elena@talleresebro.test").state == "inactive"

    page.get_by_label("Buscar contactos").fill("elena")
    page.get_by_role("button", name="Buscar").click()
    assert page.locator("tbody tr").count() == 1
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/area/contactos/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "contacts-list-mobile")


def test_requester_sees_the_locked_page(page, live_server, cast):
    login(page, live_server.url, cast.customer.email, PASSWORD)
    page.goto(f"{live_server.url}/area/contactos/")
    assert page.get_by_role("heading", name="Esta sección está bloqueada para ti").is_visible()
    screenshot(page, "contacts-locked")


def test_admin_approves_a_pending_contact_from_the_email(page, live_server, cast):
    contact_pending_create(
        organization=cast.orgs["a"],
        name="Raúl Pardo",
        email="raul@talleresebro.test",
        reason="Llamó por teléfono al soporte",
    )
    email = OutboundEmail.objects.get(template="contact_pending")
    page.set_content(email.body_html)
    assert page.get_by_role("link", name="Aprobar").is_visible()
    screenshot(page, "email-contact-pending")
    path = link_path(email.body_text, "/area/contactos/solicitud/")  # the first link: approve
    page.goto(f"{live_server.url}{path}")
    assert page.get_by_role("heading", name="¿Apruebas este contacto?").is_visible()
    assert page.get_by_text("Llamó por teléfono al soporte").is_visible()
    screenshot(page, "contacts-decision-confirm")
    assert Contact.objects.get(email="raul@talleresebro.test").state == "pending"
    page.get_by_role("button", name="Sí, aprobar a Raúl Pardo").click()
    page.get_by_text("Raúl Pardo ya es contacto de tu empresa").wait_for()
    screenshot(page, "contacts-decision-done")
    raul = Contact.objects.get(email="raul@talleresebro.test")
    assert (raul.state, raul.decided_by) == ("active", cast.admin)
    page.goto(f"{live_server.url}{path}")
    assert page.get_by_text("Esta solicitud ya se decidió").is_visible()


def resolve(cast, ticket):
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)


def test_customer_rates_from_the_email_and_the_reminder_goes_away(
    page, live_server, cast, make_ticket
):
    first = make_ticket(subject="No se imprimen los albaranes")
    second = make_ticket(subject="Error al exportar el modelo 303")
    resolve(cast, first)
    resolve(cast, second)
    email = OutboundEmail.objects.get(
        template="ticket_status", ticket=first, body_text__contains="/area/valoraciones/"
    )
    links = re.findall(r"https?://\S+/area/valoraciones/enlace/\S+/", email.body_text)
    page.set_content(email.body_html)
    assert page.get_by_text("Indícanos tu grado de satisfacción").is_visible()
    screenshot(page, "email-resolved-rating")
    page.goto(f"{live_server.url}{urlsplit(links[3]).path}")  # "4"
    assert page.get_by_role("heading", name="¿Confirmas 4/5?").is_visible()
    screenshot(page, "rating-link-confirm")
    assert not Rating.objects.exists()
    page.get_by_role("button", name="Confirmar mi valoración").click()
    page.get_by_role("heading", name="¡Gracias por tu valoración!").wait_for()
    page.get_by_label("¿Quieres añadir un comentario?").fill("Rápidos y amables")
    page.get_by_role("button", name="Guardar comentario").click()
    page.get_by_label("Tu comentario").wait_for()
    screenshot(page, "rating-link-thanks")
    assert (Rating.objects.get().score, Rating.objects.get().comment) == (4, "Rápidos y amables")

    login(page, live_server.url, cast.customer.email, PASSWORD)
    reminder = page.locator("#rating-reminder")
    assert reminder.get_by_role("heading", name="Casos pendientes de valorar").is_visible()
    assert second.number in reminder.inner_text() and first.number not in reminder.inner_text()
    screenshot(page, "rating-reminder-home")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "rating-reminder-home-mobile")
    reminder.get_by_role("button", name=f"5 de 5 para {second.number}: Muy satisfecho").click()
    page.get_by_text("¡Gracias! Has valorado todos tus casos.").wait_for()
    assert page.get_by_role("heading", name="Casos pendientes de valorar").count() == 0
    screenshot(page, "rating-reminder-done")
    page.reload()
    assert page.locator("#rating-reminder").count() == 0
    assert Rating.objects.get(ticket=second).score == 5
