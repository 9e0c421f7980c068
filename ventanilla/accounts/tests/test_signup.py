"""Account creation: name, email, client code + CIF, optional phone; always the same answer."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ventanilla.accounts.models import User
from ventanilla.accounts.services import access_signup_request
from ventanilla.accounts.tests.helpers import emails_to, link_in, path_of
from ventanilla.mail.models import OutboundEmail
from ventanilla.organizations.models import Contact
from ventanilla.organizations.services import contact_create
from ventanilla.testing.cast import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Huesca-Taller-2027"


def sign_up(client, email, name="Sara Puente", code="TEB01", tax_id="B12345674", phone=""):
    data = {"name": name, "email": email, "code": code, "tax_id": tax_id, "phone": phone}
    return client.post(reverse("accounts:signup"), data)


@pytest.fixture
def sara(cast):
    """An active contact of org A who has no login yet."""
    return contact_create(
        by=None, organization=cast.orgs["a"], name="Sara Puente", email="sara@talleresebro.test"
    )


def test_an_active_contact_without_login_verifies_the_email_and_creates_the_account(client, sara):
    response = sign_up(client, "SARA@talleresebro.test")
    assert "Revisa tu correo" in response.content.decode()
    (email,) = emails_to(sara.email, "account_verify")
    assert email.subject == "Confirma tu correo para crear tu cuenta"
    assert "Talleres Ebro S.L." in email.body_text
    url = path_of(link_in(email))
    assert url.startswith("/cuenta/crear-cuenta/")
    assert not User.objects.filter(email=sara.email).exists()  # nothing before the link is used

    assert "Crea tu contraseña" in client.get(url).content.decode()
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    sara.refresh_from_db()
    assert sara.user.check_password(NEW_PASSWORD) and sara.user.language == "es"
    assert client.get(reverse("home"))["Location"] == reverse("portal:home")

    client.logout()
    assert "Este enlace ya no es válido" in client.get(url).content.decode()
    assert User.objects.filter(email=sara.email).count() == 1


def test_a_contact_with_a_login_is_reminded_and_gets_a_reset_link(client, cast):
    sign_up(client, cast.customer.email, name="Lucía")
    (email,) = emails_to(cast.customer.email, "account_exists")
    assert email.subject == "Ya tienes una cuenta en el área de clientes"
    url = path_of(link_in(email))
    assert url.startswith("/cuenta/contrasena/")
    assert (
        client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    )
    cast.customer.refresh_from_db()
    assert cast.customer.check_password(NEW_PASSWORD)


def test_an_unknown_email_of_a_matching_company_waits_for_its_admin(client, cast):
    sign_up(client, "nuevo@talleresebro.test", name="Iván Nuevo", phone="976 000 111")
    contact = Contact.objects.get(email="nuevo@talleresebro.test")
    assert contact.state == Contact.State.PENDING and contact.pending_reason == "signup"
    assert (contact.name, contact.phone, contact.user) == ("Iván Nuevo", "976 000 111", None)
    (email,) = emails_to(contact.email, "account_pending")
    assert "administrador de tu empresa" in email.body_text
    assert not User.objects.filter(email=contact.email).exists()
    # asking again does not duplicate the contact
    sign_up(client, "nuevo@talleresebro.test", name="Iván Nuevo")
    assert Contact.objects.filter(email="nuevo@talleresebro.test").count() == 1


def test_no_match_creates_nothing_and_answers_the_same(client, cast):
    contacts, emails = Contact.objects.count(), OutboundEmail.objects.count()
    wrong = sign_up(client, "nuevo@talleresebro.test", tax_id="A58818501").content.decode()
    assert (Contact.objects.count(), OutboundEmail.objects.count()) == (contacts, emails)
    right = sign_up(client, "nuevo@talleresebro.test").content.decode()
    assert "Revisa tu correo" in wrong

    def strip(page):
        import re

        return re.sub(r"[A-Za-z0-9]{64}", "", page)

    assert strip(wrong) == strip(right)


def test_rejected_people_get_nothing(cast):
    contact = cast.contacts["colleague"]
    contact.state = Contact.State.REJECTED
    contact.save()
    before = OutboundEmail.objects.count()
    outcome = access_signup_request(
        name="Marcos", email=contact.email, code="TEB01", tax_id="B12345674"
    )
    assert outcome == "refused" and OutboundEmail.objects.count() == before


def test_a_verify_link_cannot_open_the_reset_page(client, sara):
    sign_up(client, sara.email)
    token = path_of(link_in(emails_to(sara.email, "account_verify")[0])).split("/")[-2]
    page = client.get(reverse("accounts:reset", kwargs={"token": token})).content.decode()
    assert "Este enlace ya no es válido" in page


def test_missing_fields_get_clear_errors_and_keep_what_was_typed(client, cast):
    page = sign_up(client, "", name="Sara Puente", code="").content.decode()
    assert "Revisa los campos marcados" in page
    assert page.count("Este campo es obligatorio.") == 2
    assert 'value="Sara Puente"' in page and 'value="B12345674"' in page


def test_the_login_page_links_to_signup_and_recovery(client):
    page = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{reverse("accounts:signup")}"' in page
    assert f'href="{reverse("accounts:recover")}"' in page
    assert "¿No puedes acceder?" in page


def test_the_signup_form_is_throttled_too(client, cast, settings):
    settings.VENTANILLA_LOGIN_HELP_MAX_PER_IP = 2
    sign_up(client, "a@talleresebro.test")
    sign_up(client, "b@talleresebro.test")
    assert "Demasiados intentos" in sign_up(client, "c@talleresebro.test").content.decode()
    assert not Contact.objects.filter(email="c@talleresebro.test").exists()


def test_a_login_never_links_to_a_second_contact(cast):
    """An email that already logs in for another contact cannot be taken over by a link."""
    from ventanilla.accounts.services import contact_password_set

    other = contact_create(
        by=None, organization=cast.orgs["b"], name="Lucía", email=cast.customer.email
    )
    with pytest.raises(ValidationError, match=r"ya tiene una cuenta|already has an account"):
        contact_password_set(contact=other, password=PASSWORD)
