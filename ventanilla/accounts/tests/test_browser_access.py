"""The ways into the customer area, in a real browser and in Spanish: "¿No puedes acceder?",
choosing a password from the emailed link, creating an account, and the lockout message.

Screenshots: var/screenshots/access-*.png
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ventanilla.accounts.services import access_recover_request
from ventanilla.accounts.tests.helpers import emails_to, link_in, path_of
from ventanilla.organizations.models import Contact
from ventanilla.organizations.services import contact_create
from ventanilla.testing.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "Zaragoza-Ebro-2027"


def test_recover_then_choose_a_new_password(page, live_server, cast):
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.get_by_role("link", name="Pide ayuda aquí").click()
    page.wait_for_url(f"**{reverse('accounts:recover')}")
    assert page.get_by_role("heading", level=1).inner_text() == "¿No puedes acceder?"
    assert page.get_by_text("Puedes consultar tu código de cliente y CIF en tu última factura.")
    page.get_by_label("Código de cliente").fill("teb01")
    page.get_by_label("CIF").fill("B-12345674")
    page.get_by_label("Tu correo electrónico").fill(cast.customer.email)
    screenshot(page, "access-recover")
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("heading", name="Revisa tu correo").wait_for()
    screenshot(page, "access-recover-sent")

    url = link_in(emails_to(cast.customer.email, "account_reset")[0])
    page.goto(f"{live_server.url}{path_of(url)}")
    assert page.get_by_role("heading", level=1).inner_text() == "Elige una nueva contraseña"
    page.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repite la nueva contraseña").fill("no-es-la-misma-2027")
    page.get_by_role("button", name="Guardar y entrar").click()
    page.get_by_text("Las dos contraseñas no coinciden.").wait_for()
    screenshot(page, "access-reset-error")

    page.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repite la nueva contraseña").fill(NEW_PASSWORD)
    screenshot(page, "access-reset")
    page.get_by_role("button", name="Guardar y entrar").click()
    page.wait_for_url(f"**{reverse('portal:home')}")
    assert page.get_by_text("Tu contraseña se ha guardado.").is_visible()
    screenshot(page, "access-reset-done")

    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path_of(url)}")
    assert page.get_by_role("heading", level=1).inner_text() == "Este enlace ya no es válido"
    screenshot(page, "access-link-used")
    page.get_by_role("link", name="Pedir un enlace nuevo").click()
    page.wait_for_url(f"**{reverse('accounts:recover')}")


def test_create_an_account(page, live_server, cast):
    contact_create(
        by=None, organization=cast.orgs["a"], name="Sara Puente", email="sara@talleresebro.test"
    )
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.get_by_role("link", name="Crea tu cuenta").click()
    page.wait_for_url(f"**{reverse('accounts:signup')}")
    page.get_by_role("button", name="Crear cuenta").click()
    page.get_by_role("alert").wait_for()
    assert page.locator("[aria-invalid=true]").count() == 4
    screenshot(page, "access-signup-errors")
    page.get_by_label("Nombre y apellidos").fill("Sara Puente")
    page.get_by_label("Tu correo electrónico").fill("sara@talleresebro.test")
    page.get_by_label("Código de cliente").fill("TEB01")
    page.get_by_label("CIF").fill("B12345674")
    page.get_by_label("Teléfono").fill("976 000 111")
    screenshot(page, "access-signup")
    page.get_by_role("button", name="Crear cuenta").click()
    page.get_by_role("heading", name="Revisa tu correo").wait_for()
    screenshot(page, "access-signup-sent")

    url = link_in(emails_to("sara@talleresebro.test", "account_verify")[0])
    page.goto(f"{live_server.url}{path_of(url)}")
    assert page.get_by_role("heading", level=1).inner_text() == "Crea tu contraseña"
    page.get_by_label("Nueva contraseña", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repite la nueva contraseña").fill(NEW_PASSWORD)
    screenshot(page, "access-signup-password")
    page.get_by_role("button", name="Guardar y entrar").click()
    page.wait_for_url(f"**{reverse('portal:home')}")
    assert Contact.objects.get(email="sara@talleresebro.test").user.check_password(NEW_PASSWORD)


def test_an_expired_link_explains_and_offers_a_new_one(page, live_server, cast):
    yesterday = timezone.now() - timedelta(hours=25)
    with time_machine.travel(yesterday, tick=False):
        access_recover_request(code="TEB01", tax_id="B12345674", email=cast.customer.email)
    url = link_in(emails_to(cast.customer.email, "account_reset")[0])
    page.goto(f"{live_server.url}{path_of(url)}")
    assert page.get_by_role("heading", level=1).inner_text() == "Este enlace ha caducado"
    assert page.get_by_text("sirven durante 24 horas").is_visible()
    assert page.get_by_role("link", name="Pedir un enlace nuevo").is_visible()
    screenshot(page, "access-link-expired")


def test_the_lockout_message(page, live_server, cast):
    for _ in range(5):
        login(page, live_server.url, cast.customer.email, "no-es-esta", expect_success=False)
    alert = page.get_by_role("alert")
    assert "Demasiados intentos. Por tu seguridad, espera 15 minutos" in alert.inner_text()
    screenshot(page, "access-lockout")


def test_recover_on_a_phone(page, live_server):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}{reverse('accounts:signup')}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "access-signup-mobile")
