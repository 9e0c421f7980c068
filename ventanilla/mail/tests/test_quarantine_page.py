"""The console page where supervisors see quarantined mail and process it again."""

import pytest
from django.urls import reverse

from ventanilla.mail.intake import inbound_receive
from ventanilla.mail.models import InboundEmail
from ventanilla.mail.tests.builders import make_email
from ventanilla.organizations.models import Contact
from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD

S = InboundEmail.State


def stranger_mail(subject="Factura duplicada"):
    return inbound_receive(
        make_email(frm="Ana Ruiz <ana@desconocido.test>", subject=subject),
        InboundEmail.Source.IMAP,
        detail="soporte",
    )


def test_supervisor_reprocesses_after_creating_the_contact(cast, client):
    row = stranger_mail()
    client.force_login(cast.users["supervisor"])
    page = client.get(reverse("console:quarantine"))
    assert "Factura duplicada" in page.text and "ana@desconocido.test" in page.text
    Contact.objects.create(organization=cast.orgs["a"], name="Ana", email="ana@desconocido.test")
    response = client.post(reverse("console:quarantine"), {"inbound": row.pk}, follow=True)
    row.refresh_from_db()
    assert row.state == S.PROCESSED and row.ticket is not None
    assert "Factura duplicada" not in response.text.split("<tbody>")[-1]


def test_reprocess_that_still_fails_says_why(cast, client):
    row = stranger_mail()
    client.force_login(cast.users["supervisor"])
    response = client.post(reverse("console:quarantine"), {"inbound": row.pk}, follow=True)
    row.refresh_from_db()
    assert row.state == S.QUARANTINED
    assert "ana@desconocido.test" in response.text


def test_page_costs_constant_queries(cast, client, django_assert_max_num_queries):
    client.force_login(cast.users["supervisor"])
    for n in range(5):
        stranger_mail(subject=f"Asunto {n}")
    with django_assert_max_num_queries(12):
        client.get(reverse("console:quarantine"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_quarantine_page_in_the_browser(page, live_server):
    from ventanilla.testing.cast import build_cast

    cast = build_cast()
    stranger_mail()
    stranger_mail(subject="Cambio de hosting a facturación anual")
    login(page, live_server.url, cast.users["supervisor"].email, PASSWORD)
    page.goto(f"{live_server.url}{reverse('console:quarantine')}")
    assert page.get_by_role("heading", name="Correo en cuarentena").is_visible()
    screenshot(page, "console-email-quarantine")
    Contact.objects.create(organization=cast.orgs["a"], name="Ana", email="ana@desconocido.test")
    page.get_by_role("button", name="Procesar de nuevo").first.click()
    page.wait_for_load_state("load")
    assert page.get_by_text("El correo se ha procesado de nuevo.").is_visible()
    screenshot(page, "console-email-quarantine-after")
