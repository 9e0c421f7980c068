"""Gestionar contactos pages: who may see and change what, forms that keep what was typed, the
email decision link (GET never decides), and constant query counts."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.organizations.models import Contact, Section
from ventanilla.organizations.notifications import decision_token
from ventanilla.organizations.services import contact_create, contact_pending_create

pytestmark = pytest.mark.django_db
CONTACTS = reverse("portal:contacts")


def as_user(client, user):
    client.force_login(user)
    return client


def test_admin_sees_every_contact_with_its_details(client, cast):
    response = as_user(client, cast.admin).get(CONTACTS)
    assert response.status_code == 200
    html = response.content.decode()
    for role in ("customer", "colleague", "admin", "site_manager", "regional"):
        assert cast.contacts[role].email in html
    assert cast.contacts["outsider"].email not in html
    assert "Responsable de sede" in html and "Zaragoza" in html and "Facturación" in html
    assert reverse("portal:contact_edit", args=[cast.contacts["colleague"].pk]) in html


def test_search_filters_by_name_email_position_or_phone(client, cast):
    html = as_user(client, cast.admin).get(CONTACTS, {"q": "jorge@"}).content.decode()
    assert "jorge@talleresebro.test" in html and "lucia@talleresebro.test" not in html
    empty = client.get(CONTACTS, {"q": "nadie-así"}).content.decode()
    assert "Ningún contacto coincide con tu búsqueda" in empty


def test_requester_without_the_section_gets_a_locked_page(client, cast):
    response = as_user(client, cast.customer).get(CONTACTS)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Esta sección está bloqueada para ti" in html and "Pilar Esteban" in html


def test_the_contacts_section_grants_a_read_only_list(client, cast):
    customer = cast.contacts["customer"]
    customer.privileges = int(Section.CASES | Section.CONTACTS)
    customer.save()
    response = as_user(client, cast.customer).get(CONTACTS)
    assert response.status_code == 200
    html = response.content.decode()
    assert "marcos@talleresebro.test" in html
    assert reverse("portal:contact_new") not in html
    assert reverse("portal:contact_edit", args=[customer.pk]) not in html
    assert client.get(reverse("portal:contact_new")).status_code == 403


def test_admin_adds_a_contact(client, cast):
    data = {
        "name": "Elena Soler",
        "email": "elena@talleresebro.test",
        "position": "Contable",
        "phone": "976 123 456",
        "is_billing": "on",
        "role": "site_manager",
        "site": cast.sites["huesca"].pk,
        "sections": [str(int(Section.CASES)), str(int(Section.INVOICES))],
    }
    response = as_user(client, cast.admin).post(reverse("portal:contact_new"), data)
    assert response.status_code == 302
    elena = Contact.objects.get(email="elena@talleresebro.test")
    assert (elena.state, elena.role, elena.site) == ("active", "site_manager", cast.sites["huesca"])
    assert elena.is_billing and not elena.is_technical
    assert elena.privileges == int(Section.CASES | Section.INVOICES)


def test_bad_input_keeps_what_was_typed(client, cast):
    data = {"name": "Elena Soler", "email": "lucia@talleresebro.test", "role": "site_manager"}
    response = as_user(client, cast.admin).post(reverse("portal:contact_new"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un responsable de sede necesita una sede." in html
    assert 'value="Elena Soler"' in html
    data["site"] = cast.sites["huesca"].pk
    html = client.post(reverse("portal:contact_new"), data).content.decode()
    assert "Tu organización ya tiene un contacto con este email." in html


def test_admin_edits_and_deactivates_then_reactivates(client, cast):
    colleague = cast.contacts["colleague"]
    as_user(client, cast.admin)
    edit = reverse("portal:contact_edit", args=[colleague.pk])
    assert 'value="marcos@talleresebro.test"' in client.get(edit).content.decode()
    data = {"name": "Marcos L.", "email": colleague.email, "role": "requester", "is_quotes": "on"}
    assert client.post(edit, data).status_code == 302
    colleague.refresh_from_db()
    assert colleague.name == "Marcos L." and colleague.is_quotes and not colleague.is_technical

    client.post(reverse("portal:contact_deactivate", args=[colleague.pk]))
    colleague.refresh_from_db()
    assert colleague.state == "inactive"
    client.post(reverse("portal:contact_reactivate", args=[colleague.pk]))
    colleague.refresh_from_db()
    assert colleague.state == "active"


def test_last_admin_cannot_deactivate_themselves_from_the_page(client, cast):
    admin = cast.contacts["admin"]
    response = as_user(client, cast.admin).post(
        reverse("portal:contact_deactivate", args=[admin.pk]), follow=True
    )
    assert "último administrador" in response.content.decode()
    admin.refresh_from_db()
    assert admin.state == "active"


def test_other_organization_contacts_are_404(client, cast):
    outsider = cast.contacts["outsider"]
    as_user(client, cast.admin)
    assert client.get(reverse("portal:contact_edit", args=[outsider.pk])).status_code == 404
    for name in ("portal:contact_deactivate", "portal:contact_decide"):
        response = client.post(reverse(name, args=[outsider.pk]), {"decision": "approve"})
        assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.state == "active"


def pending(cast):
    return contact_pending_create(
        organization=cast.orgs["a"],
        name="Raúl Pardo",
        email="raul@talleresebro.test",
        reason="Llamó",
    )


def test_pending_requests_are_decided_from_the_list(client, cast):
    raul = pending(cast)
    html = as_user(client, cast.admin).get(CONTACTS).content.decode()
    assert "Pendientes de tu aprobación" in html and "Raúl Pardo" in html
    done = client.post(
        reverse("portal:contact_decide", args=[raul.pk]), {"decision": "reject"}, follow=True
    )
    assert "Se ha rechazado la solicitud de Raúl Pardo." in done.content.decode()
    raul.refresh_from_db()
    assert raul.state == "rejected" and raul.decided_by == cast.admin
    assert "raul@talleresebro.test" not in client.get(CONTACTS).content.decode()


def test_decision_link_confirms_on_get_and_decides_once_on_post(client, cast):
    raul = pending(cast)
    url = reverse(
        "portal:contact_decision_link", args=[decision_token(raul, "approve", cast.admin)]
    )
    page = client.get(url)  # anonymous, like a mail scanner prefetching the link
    assert page.status_code == 200 and "Sí, aprobar a Raúl Pardo" in page.content.decode()
    assert "Llamó" in page.content.decode()
    raul.refresh_from_db()
    assert raul.state == "pending"

    done = client.post(url)
    assert "Raúl Pardo ya es contacto de tu empresa" in done.content.decode()
    raul.refresh_from_db()
    assert (raul.state, raul.decided_by) == ("active", cast.admin)

    reject = reverse(
        "portal:contact_decision_link", args=[decision_token(raul, "reject", cast.admin)]
    )
    again = client.post(reject)
    assert "Esta solicitud ya se decidió" in again.content.decode()
    raul.refresh_from_db()
    assert raul.state == "active"


def test_decision_link_of_someone_no_longer_admin_or_forged_is_refused(client, cast):
    raul = pending(cast)
    url = reverse(
        "portal:contact_decision_link", args=[decision_token(raul, "approve", cast.customer)]
    )
    assert client.post(url).status_code == 403
    assert client.get(reverse("portal:contact_decision_link", args=["nope"])).status_code == 400
    raul.refresh_from_db()
    assert raul.state == "pending"


def test_contact_list_costs_constant_queries(client, cast, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    as_user(client, cast.admin)
    pending(cast)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(CONTACTS).status_code == 200
        return len(context.captured_queries)

    few = count()
    for index in range(30):
        contact_create(
            by=cast.admin,
            organization=cast.orgs["a"],
            name=f"Persona {index}",
            email=f"p{index}@talleresebro.test",
            site=cast.sites["sevilla"],
            region=cast.regions["south"],
            role="regional_manager",
        )
        contact_pending_create(
            organization=cast.orgs["a"], name=f"Nuevo {index}", email=f"n{index}@x.test", reason="?"
        )
    assert count() == few
    with django_assert_max_num_queries(few):
        client.get(CONTACTS, {"q": "Persona"})


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_customer_never_sees_another_organizations_contacts(client, cast, data):
    """Whatever the role, privileges and search, org B's contacts never show to org A and back."""
    role = data.draw(st.sampled_from(["customer", "admin", "site_manager", "regional", "outsider"]))
    contact = cast.contacts[role]
    contact.privileges = data.draw(st.integers(min_value=0, max_value=255))
    contact.save()
    query = data.draw(st.sampled_from(["", "test", "@", "a", "bodegas", "talleres"]))
    as_user(client, cast.users[role])
    response = client.get(CONTACTS, {"q": query})
    html = response.content.decode()
    foreign = "@bodegasalbar.test" if role != "outsider" else "@talleresebro.test"
    assert response.status_code in (200, 403)
    assert foreign not in html.replace(cast.users[role].email, "")
    other = cast.contacts["outsider" if role != "outsider" else "colleague"]
    assert client.get(reverse("portal:contact_edit", args=[other.pk])).status_code in (403, 404)
