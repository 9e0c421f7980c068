"""«¿No puedes acceder?»: client code + CIF + email, a neutral answer, single-use links."""

import re

import pytest
import time_machine
from django.urls import reverse

from ventanilla.accounts.services import access_recover_request
from ventanilla.accounts.tests.helpers import emails_to, link_in, path_of
from ventanilla.mail.models import OutboundEmail
from ventanilla.organizations.models import Contact
from ventanilla.organizations.services import contact_create
from ventanilla.testing.cast import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Zaragoza-Ebro-2027"


def ask(client, email, code="TEB01", tax_id="B12345674", ip="10.0.0.1"):
    data = {"code": code, "tax_id": tax_id, "email": email}
    return client.post(reverse("accounts:recover"), data, REMOTE_ADDR=ip)


def test_an_active_contact_gets_a_link_and_sets_a_new_password(client, cast):
    response = ask(client, "Lucia@TalleresEbro.test", code=" teb01 ", tax_id="b-12.345.674")
    assert response.status_code == 200
    assert "Revisa tu correo" in response.content.decode()
    (email,) = emails_to(cast.customer.email, "account_reset")
    assert email.subject == "Elige tu contraseña del área de clientes"
    url = path_of(link_in(email))

    page = client.get(url)
    assert page.status_code == 200 and "Elige una nueva contraseña" in page.content.decode()
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("portal:home")
    cast.customer.refresh_from_db()
    assert cast.customer.check_password(NEW_PASSWORD)

    client.logout()
    used = client.get(url).content.decode()
    assert "Este enlace ya no es válido" in used and reverse("accounts:recover") in used


def test_the_same_neutral_answer_whatever_matched(client, cast):
    def answer(**kwargs):
        page = ask(client, "quien@talleresebro.test", **kwargs).content.decode()
        return re.sub(r"[A-Za-z0-9]{64}", "", page)  # CSRF tokens differ on every page

    unknown_in_matching_org = answer()
    wrong_cif = answer(tax_id="A58818501")
    unknown_code = answer(code="NOPE9")
    assert unknown_in_matching_org == wrong_cif == unknown_code


def test_a_wrong_pair_sends_and_creates_nothing(cast):
    before = OutboundEmail.objects.count()
    outcome = access_recover_request(code="TEB01", tax_id="A58818501", email=cast.customer.email)
    assert outcome == "no_match"
    assert OutboundEmail.objects.count() == before
    assert not Contact.objects.filter(state=Contact.State.PENDING).exists()


def test_an_unknown_email_becomes_pending_and_the_admins_are_told(client, cast):
    ask(client, "nuevo@talleresebro.test")
    pending = Contact.objects.get(email="nuevo@talleresebro.test")
    assert pending.state == Contact.State.PENDING and pending.pending_reason == "recover"
    assert pending.organization == cast.orgs["a"] and pending.user is None
    assert emails_to("nuevo@talleresebro.test") == []
    # One email to each admin: the pending-contact notice with its one-click decision links.
    assert emails_to(cast.admin.email, "account_access_request") == []
    (notice,) = emails_to(cast.admin.email, "contact_pending")
    assert "nuevo@talleresebro.test" in notice.body_text
    assert emails_to(cast.customer.email) == []  # only organization admins are told


def test_a_contact_that_is_not_active_gets_no_link_and_the_admins_are_told(cast):
    contact = cast.contacts["colleague"]
    contact.state = Contact.State.INACTIVE
    contact.save()
    assert access_recover_request(code="TEB01", tax_id="B12345674", email=contact.email) == (
        "admins_notified"
    )
    assert emails_to(contact.email) == []
    assert len(emails_to(cast.admin.email, "account_access_request")) == 1


def test_a_contact_without_login_creates_it_through_the_link(client, cast):
    contact = contact_create(
        by=None, organization=cast.orgs["a"], name="Sara Puente", email="sara@talleresebro.test"
    )
    ask(client, contact.email)
    url = path_of(link_in(emails_to(contact.email, "account_reset")[0]))
    assert "Crea tu contraseña" in client.get(url).content.decode()
    assert (
        client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    )
    contact.refresh_from_db()
    assert (
        contact.user.email == "sara@talleresebro.test" and contact.user.full_name == "Sara Puente"
    )
    assert contact.user.check_password(NEW_PASSWORD)
    assert client.get(reverse("home"))["Location"] == reverse("portal:home")


def test_mismatched_or_weak_passwords_get_clear_errors(client, cast):
    ask(client, cast.customer.email)
    url = path_of(link_in(emails_to(cast.customer.email, "account_reset")[0]))
    page = client.post(url, {"password1": NEW_PASSWORD, "password2": "otra-cosa-2027"})
    assert "Las dos contraseñas no coinciden." in page.content.decode()
    page = client.post(url, {"password1": "12345678", "password2": "12345678"})
    assert "Esta contraseña es demasiado común." in page.content.decode()
    cast.customer.refresh_from_db()
    assert cast.customer.check_password(PASSWORD)
    # the link still works: nothing was changed
    assert (
        client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    )


def test_links_expire_after_the_configured_hours(client, cast, settings):
    settings.VENTANILLA_LOGIN_LINK_HOURS = 2
    with time_machine.travel("2026-11-23 10:00Z", tick=False):
        ask(client, cast.customer.email)
    url = path_of(link_in(emails_to(cast.customer.email, "account_reset")[0]))
    with time_machine.travel("2026-11-23 11:59Z", tick=False):
        assert "Elige una nueva contraseña" in client.get(url).content.decode()
    with time_machine.travel("2026-11-23 12:01Z", tick=False):
        page = client.get(url).content.decode()
    assert "Este enlace ha caducado" in page and "durante 2 horas" in page


def test_a_login_made_after_the_link_was_sent_voids_it(client, cast):
    ask(client, cast.customer.email)
    url = path_of(link_in(emails_to(cast.customer.email, "account_reset")[0]))
    client.post(reverse("accounts:login"), {"username": cast.customer.email, "password": PASSWORD})
    client.logout()
    assert "Este enlace ya no es válido" in client.get(url).content.decode()


def test_a_tampered_link_is_refused(client, cast):
    ask(client, cast.customer.email)
    url = path_of(link_in(emails_to(cast.customer.email, "account_reset")[0]))
    assert "Este enlace ya no es válido" in client.get(url[:-3] + "xx/").content.decode()


def test_the_email_is_written_in_the_contacts_language(client, cast):
    cast.customer.language = "en"
    cast.customer.save()
    ask(client, cast.customer.email)
    (email,) = emails_to(cast.customer.email, "account_reset")
    assert email.subject == "Choose your password for the customer area"


def test_a_malformed_cif_is_refused_and_nothing_typed_is_lost(client, cast):
    page = ask(client, "lucia@talleresebro.test", tax_id="B1234567X").content.decode()
    assert "Este CIF no parece correcto" in page
    assert 'value="lucia@talleresebro.test"' in page and 'value="TEB01"' in page
    assert emails_to(cast.customer.email) == []


def test_the_form_is_throttled_by_address_and_by_email(client, cast, settings):
    settings.VENTANILLA_LOGIN_HELP_MAX_PER_IP = 5
    settings.VENTANILLA_LOGIN_HELP_MAX_PER_EMAIL = 2
    for _ in range(4):
        assert "Revisa tu correo" in ask(client, cast.customer.email).content.decode()
    assert len(emails_to(cast.customer.email)) == 2  # the mailbox is not flooded
    assert "Revisa tu correo" in ask(client, cast.colleague.email).content.decode()
    blocked = ask(client, cast.colleague.email).content.decode()
    assert "Demasiados intentos" in blocked and 'value="TEB01"' in blocked
    assert "Revisa tu correo" in ask(client, cast.colleague.email, ip="10.0.0.2").content.decode()


def test_people_already_logged_in_are_sent_home(client, cast):
    client.force_login(cast.customer)
    assert client.get(reverse("accounts:recover"))["Location"] == reverse("home")


def test_a_link_is_redeemed_once_even_from_two_tabs(client, cast):
    from ventanilla.accounts.services import LINK_RESET, access_link_redeem
    from ventanilla.lib.tokens import BadToken

    ask(client, cast.customer.email)
    token = path_of(link_in(emails_to(cast.customer.email, "account_reset")[0])).split("/")[-2]
    first_tab = client.get(reverse("accounts:reset", kwargs={"token": token}))
    assert "Elige una nueva contraseña" in first_tab.content.decode()
    access_link_redeem(purpose=LINK_RESET, token=token, password=NEW_PASSWORD)
    with pytest.raises(BadToken):
        access_link_redeem(purpose=LINK_RESET, token=token, password="Otra-Clave-2028")
    # the tab opened before the link was used gets the clear page on submit
    page = client.post(
        reverse("accounts:reset", kwargs={"token": token}),
        {"password1": "Otra-Clave-2028", "password2": "Otra-Clave-2028"},
    )
    assert "Este enlace ya no es válido" in page.content.decode()
    cast.customer.refresh_from_db()
    assert cast.customer.check_password(NEW_PASSWORD)
