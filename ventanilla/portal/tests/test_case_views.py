"""Customer case pages: open (each bad input), list (groups, scopes, filters), detail, live."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ventanilla.catalog.models import ProductVersion
from ventanilla.mail.models import OutboundEmail
from ventanilla.testing.factories import EXE_BYTES, pdf_upload, png_upload
from ventanilla.tickets.models import Event, Message, Rating, Ticket
from ventanilla.tickets.services import (
    ticket_add_note,
    ticket_assign,
    ticket_reply,
    ticket_transition,
)
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db

WEBM_HEAD = bytes.fromhex(
    "1a45dfa3a34286810142f7810142f2810442f381084282847765626d42878104428581021853806701ffffffff"
)


def valid_data(cast, **changes):
    data = {
        "request_type": cast.request_type.pk,
        "product": cast.products["erp"].pk,
        "product_version": "",
        "severity": "B",
        "subject": "No puedo exportar el modelo 303",
        "description": "Al pulsar Exportar aparece «Error 500».\r\nDesde ayer por la tarde.",
        "callback_phone": "",
        "consent": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post_new(client, data, files=()):
    return client.post(reverse("portal:case_new"), {**data, "attachments": list(files)})


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# ---------------------------------------------------------------- open a case


def test_open_a_case_redirects_to_it_with_its_number_and_queues_the_email(client, cast):
    client.force_login(cast.customer)
    version = ProductVersion.objects.get(product=cast.products["erp"])
    data = valid_data(
        cast,
        product_version=version.pk,
        callback_requested="on",
        callback_phone="976 123 456",
    )
    response = post_new(client, data, [png_upload("pantalla.png")])

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:case_detail", kwargs={"number": ticket.number})
    assert ticket.requester == cast.contacts["customer"]
    assert ticket.severity == "B" and ticket.product_version == version
    assert ticket.description == "Al pulsar Exportar aparece «Error 500».\nDesde ayer por la tarde."
    assert ticket.callback_requested and ticket.callback_phone == "976 123 456"
    assert ticket.consent_by == cast.customer and ticket.consent_at is not None
    assert ticket.consent_version == "2026-01"
    assert [a.filename for a in ticket.attachments.all()] == ["pantalla.png"]
    queued = OutboundEmail.objects.get(ticket=ticket, template="ticket_received")  # + agents' one
    assert queued.to == [cast.contacts["customer"].email] and ticket.number in queued.subject

    page = client.get(response["Location"])
    html = page.content.decode()
    assert ticket.number in html
    assert "Caso " + ticket.number in html
    assert re.search(r"Creado <time[^>]*>(hace|ahora)", html)
    assert f"El caso {ticket.number} está abierto" in html


def test_the_form_shows_the_seed_labels_in_spanish(client, cast):
    client.force_login(cast.customer)
    html = client.get(reverse("portal:case_new")).content.decode()
    for text in (
        "Abrir caso de soporte",
        "Quiero que me llamen por teléfono",
        "Saber más",
        "Máx. 900 caracteres" if "Máx. 900" in html else "/ 900",
        "Arrastra un archivo",
        "graba la pantalla",
        "Pega capturas de pantalla",
    ):
        assert text in html, text
    assert "Soporte exclusivo" not in html
    assert 'name="requester"' not in html  # a requester opens cases for themselves only


def test_exclusive_support_is_shown_to_premium_organizations(client, cast):
    org = cast.orgs["a"]
    org.exclusive_support = True
    org.save()
    client.force_login(cast.customer)
    assert "Soporte exclusivo" in client.get(reverse("portal:case_new")).content.decode()


@pytest.mark.parametrize(
    ("field", "changes", "files", "message"),
    [
        ("description", {"description": "x" * 901}, [], "900"),
        ("consent", {"consent": None}, [], "consentimiento"),
        ("subject", {"subject": ""}, [], "obligatorio"),
        ("request_type", {"request_type": ""}, [], "obligatorio"),
        ("callback_phone", {"callback_requested": "on"}, [], "teléfono"),
        (
            "attachments",
            {},
            [SimpleUploadedFile("factura.pdf", EXE_BYTES)],
            "no corresponde con su extensión",
        ),
        ("attachments", {}, [pdf_upload(size=6 * 1024 * 1024)], "el límite es de 5"),
        ("attachments", {}, [SimpleUploadedFile("virus.exe", EXE_BYTES)], "no es un tipo"),
    ],
)
def test_each_bad_input_is_refused_next_to_its_field_and_keeps_the_rest(
    client, cast, field, changes, files, message
):
    client.force_login(cast.customer)
    data = valid_data(cast, **changes)
    response = post_new(client, data, files)

    assert response.status_code == 400
    assert not Ticket.objects.exists()
    errors = " ".join(errors_of(response, field))
    assert message in errors, errors
    html = response.content.decode()
    if field != "subject":
        assert "No puedo exportar el modelo 303" in html  # what was typed is still there
    if field != "description":
        assert "Desde ayer por la tarde." in html


def test_a_901_character_description_is_refused_but_900_with_new_lines_pass(client, cast):
    client.force_login(cast.customer)
    text = ("a" * 99 + "\r\n") * 9  # 900 characters once new lines count as one
    assert post_new(client, valid_data(cast, description=text)).status_code == 302


def test_files_that_passed_are_named_to_attach_again_after_an_error(client, cast):
    client.force_login(cast.customer)
    response = post_new(client, valid_data(cast, consent=None), [png_upload("ok.png")])
    assert response.context["attach_again"] == ["ok.png"]
    assert "ok.png" in response.content.decode()


def test_a_version_of_another_product_is_refused(client, cast):
    client.force_login(cast.customer)
    version = ProductVersion.objects.get(product=cast.products["erp"])
    data = valid_data(cast, product=cast.products["net"].pk, product_version=version.pk)
    response = post_new(client, data)
    assert "no pertenece" in " ".join(errors_of(response, "product_version"))


def test_a_screen_recording_is_accepted_as_webm(client, cast):
    client.force_login(cast.customer)
    video = SimpleUploadedFile("grabacion.webm", WEBM_HEAD + b"\x00" * 2000)
    assert post_new(client, valid_data(cast), [video]).status_code == 302
    assert Ticket.objects.get().attachments.get().content_type == "video/webm"


def test_org_admin_opens_a_case_for_a_colleague(client, cast):
    client.force_login(cast.admin)
    html = client.get(reverse("portal:case_new")).content.decode()
    assert 'name="requester"' in html and "Añadir contacto" in html
    colleague = cast.contacts["colleague"]
    response = post_new(client, valid_data(cast, requester=colleague.pk))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.requester == colleague and ticket.created_by == cast.admin


def test_site_manager_cannot_open_for_someone_outside_the_site(client, cast):
    client.force_login(cast.site_manager)
    response = post_new(client, valid_data(cast, requester=cast.contacts["regional"].pk))
    assert response.status_code == 400
    assert errors_of(response, "requester")
    outsider = post_new(client, valid_data(cast, requester=cast.contacts["outsider"].pk))
    assert errors_of(outsider, "requester") and not Ticket.objects.exists()


# ---------------------------------------------------------------- my cases


def list_page(client, **params):
    return client.get(reverse("portal:case_list"), params)


def numbers(response):
    return [t.number for t in response.context["page"].object_list]


def test_requester_sees_own_and_cc_cases_only(client, cast, make_ticket):
    from ventanilla.tickets.services import ticket_add_participant

    own = make_ticket()
    cc = make_ticket(role="colleague")
    ticket_add_participant(ticket=cc, by=None, contact=cast.contacts["customer"])
    make_ticket(role="colleague", subject="Otro")
    make_ticket(role="outsider")
    client.force_login(cast.customer)
    response = list_page(client)
    assert sorted(numbers(response)) == sorted([own.number, cc.number])
    assert response.context["scopes"] == []  # no scope switch for a requester


def test_sidebar_groups_count_every_status_and_ratings(client, cast, make_ticket):
    waiting = make_ticket()
    resolved = make_ticket()
    ticket_transition(ticket=resolved, to_status=Status.RESOLVED, by=cast.agent_l1)
    rated = make_ticket()
    ticket_transition(ticket=rated, to_status=Status.RESOLVED, by=cast.agent_l1)
    Rating.objects.create(ticket=rated, score=5, rated_by=cast.customer)
    cancelled = make_ticket()
    ticket_transition(ticket=cancelled, to_status=Status.CANCELLED, by=cast.customer)
    client.force_login(cast.customer)

    counts = list_page(client).context["counts"]
    assert counts["waiting_for_support"] == 1 and counts["resolved"] == 2
    assert counts["open"] == 1 and counts["completed"] == 3 and counts["all"] == 4
    assert counts["to_rate"] == 1 and counts["rated"] == 1
    assert numbers(list_page(client, group="to_rate")) == [resolved.number]
    assert numbers(list_page(client, group="rated")) == [rated.number]
    assert numbers(list_page(client, status="cancelled")) == [cancelled.number]
    assert numbers(list_page(client, group="open")) == [waiting.number]
    html = list_page(client).content.decode()
    for label in (
        "Casos abiertos",
        "Casos completados",
        "Todos los casos",
        "Esperando ayuda",
        "Pendientes de valorar",
        "Valorados",
    ):
        assert label in html, label


def test_search_filters_and_sorting(client, cast, make_ticket):
    first = make_ticket(subject="Impresora atascada", severity="A")
    second = make_ticket(
        subject="VPN caída", description="La VPN de Huesca", product=cast.products["net"]
    )
    client.force_login(cast.customer)
    assert numbers(list_page(client, q="impresora")) == [first.number]
    assert numbers(list_page(client, q="huesca")) == [second.number]
    assert numbers(list_page(client, q=second.number)) == [second.number]
    assert numbers(list_page(client, severity="A")) == [first.number]
    assert numbers(list_page(client, product=cast.products["net"].pk)) == [second.number]
    assert numbers(list_page(client, order="number")) == [first.number, second.number]
    assert numbers(list_page(client, order="-number")) == [second.number, first.number]
    assert numbers(list_page(client, order="created")) == [first.number, second.number]
    # wrong values are ignored, never an error page
    assert list_page(client, severity="Z", product="abc", order="x", page="99").status_code == 200


def test_pagination_keeps_the_filters(client, cast, make_ticket):
    for index in range(27):
        make_ticket(subject=f"Caso {index}", severity="C")
    client.force_login(cast.customer)
    response = list_page(client, severity="C")
    assert len(numbers(response)) == 25
    html = response.content.decode()
    assert "?severity=C&amp;page=2" in html
    assert len(numbers(list_page(client, severity="C", page=2))) == 2


@pytest.mark.parametrize(
    ("role", "scopes", "widest_sees"),
    [
        ("admin", ["mine", "global"], {"customer", "colleague", "regional", "site_manager"}),
        ("site_manager", ["mine", "local"], {"customer", "colleague", "site_manager"}),
        ("regional", ["mine", "local", "regional"], {"regional"}),
    ],
)
def test_managers_switch_scope(client, cast, make_ticket, role, scopes, widest_sees):
    tickets = {
        r: make_ticket(role=r) for r in ("customer", "colleague", "regional", "site_manager")
    }
    make_ticket(role="outsider")
    client.force_login(cast.users[role])
    response = list_page(client)
    assert [key for key, _ in response.context["scopes"]] == scopes
    assert set(numbers(response)) == {tickets[r].number for r in widest_sees}
    mine = list_page(client, scope="mine")
    own = {tickets[role].number} if role in tickets else set()
    assert set(numbers(mine)) == own


def test_managers_filter_by_site_and_requester(client, cast, make_ticket):
    zaragoza = make_ticket(role="customer")
    sevilla = make_ticket(role="regional")
    client.force_login(cast.admin)
    assert numbers(list_page(client, site=cast.sites["sevilla"].pk)) == [sevilla.number]
    by_person = list_page(client, requester=cast.contacts["customer"].pk)
    assert numbers(by_person) == [zaragoza.number]
    # a requester cannot widen their view through the query string
    client.force_login(cast.customer)
    assert numbers(list_page(client, scope="global")) == [zaragoza.number]
    assert numbers(list_page(client, requester=cast.contacts["regional"].pk)) == [zaragoza.number]


def test_htmx_requests_get_the_list_fragment_only(client, cast, make_ticket):
    make_ticket()
    client.force_login(cast.customer)
    response = client.get(
        reverse("portal:case_list"), {"group": "open"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="cases"')
    assert "<html" not in html


def test_empty_states(client, cast, make_ticket):
    client.force_login(cast.customer)
    assert "Todavía no has abierto ningún caso" in list_page(client).content.decode()
    make_ticket()
    assert "Ningún caso coincide" in list_page(client, q="zzz").content.decode()


# ---------------------------------------------------------------- case page


def detail(client, ticket, **params):
    return client.get(reverse("portal:case_detail", kwargs={"number": ticket.number}), params)


def test_case_page_shows_the_public_thread_only(client, cast, make_ticket):
    ticket = make_ticket(attachments=[png_upload("inicio.png")])
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="¿Nos mandas una captura?")
    ticket_add_note(
        ticket=ticket, by=cast.agent_l1, text="NOTA SECRETA", attachments=[png_upload("nota.png")]
    )
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    client.force_login(cast.customer)
    html = detail(client, ticket).content.decode()
    assert "¿Nos mandas una captura?" in html and "inicio.png" in html
    assert "NOTA SECRETA" not in html and "nota.png" not in html
    assert "En curso" in html and "Creado <time" in html


def test_write_a_message_with_a_file(client, cast, make_ticket):
    ticket = make_ticket()
    client.force_login(cast.customer)
    url = reverse("portal:case_detail", kwargs={"number": ticket.number})
    response = client.post(url, {"text": "Adjunto la captura", "attachments": [png_upload()]})
    assert response.status_code == 302
    message = Message.objects.get(ticket=ticket)
    assert message.body_text == "Adjunto la captura" and message.attachments.count() == 1
    empty = client.post(url, {"text": ""})
    assert empty.status_code == 400 and "Escribe un mensaje" in empty.content.decode()


def test_cancel_while_waiting_for_support_only(client, cast, make_ticket):
    ticket = make_ticket()
    client.force_login(cast.customer)
    url = reverse("portal:case_cancel", kwargs={"number": ticket.number})
    assert "Cancelar caso" in detail(client, ticket).content.decode()
    client.post(url, {"reason": "Ya funciona"})
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELLED
    html = detail(client, ticket).content.decode()
    assert "Cancelar caso" not in html and 'name="text"' not in html
    assert "ya no admite mensajes" in html

    busy = make_ticket()
    ticket_transition(ticket=busy, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    assert "Cancelar caso" not in detail(client, busy).content.decode()
    client.post(reverse("portal:case_cancel", kwargs={"number": busy.number}))
    busy.refresh_from_db()
    assert busy.status == Status.IN_PROGRESS


def test_reopen_a_resolved_case_within_the_window(client, cast, make_ticket, settings):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    client.force_login(cast.customer)
    html = detail(client, ticket).content.decode()
    assert "Reabrir caso" in html and "reabre el caso" in html
    client.post(reverse("portal:case_reopen", kwargs={"number": ticket.number}))
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS

    old = make_ticket()
    ticket_transition(ticket=old, to_status=Status.RESOLVED, by=cast.agent_l1)
    Ticket.objects.filter(pk=old.pk).update(
        resolved_at=timezone.now() - timezone.timedelta(days=settings.VENTANILLA_REOPEN_DAYS + 1)
    )
    html = detail(client, old).content.decode()
    assert "Reabrir caso" not in html and 'name="text"' not in html
    assert "ya no se puede reabrir" in html
    client.post(reverse("portal:case_reopen", kwargs={"number": old.number}))
    old.refresh_from_db()
    assert old.status == Status.RESOLVED


def test_a_message_reopens_a_resolved_case(client, cast, make_ticket):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    client.force_login(cast.customer)
    url = reverse("portal:case_detail", kwargs={"number": ticket.number})
    client.post(url, {"text": "Vuelve a fallar"})
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS


def test_closed_case_says_why_there_is_no_reply_box(client, cast, make_ticket):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    ticket_transition(ticket=ticket, to_status=Status.CLOSED, by=cast.agent_l1)
    client.force_login(cast.customer)
    html = detail(client, ticket).content.decode()
    assert 'name="text"' not in html and "está cerrado" in html
    assert "rating partial goes here" not in html  # a template comment, never rendered


# ---------------------------------------------------------------- live updates


def test_updates_return_new_public_messages_and_status_changes(client, cast, make_ticket):
    ticket = make_ticket()
    client.force_login(cast.customer)
    page = detail(client, ticket)
    last_message, last_event = page.context["last_message"], page.context["last_event"]
    url = reverse("portal:case_updates", kwargs={"number": ticket.number})
    params = {"m": last_message, "e": last_event, "s": ticket.status}

    quiet = client.get(url, params, headers={"HX-Request": "true"}).content.decode()
    assert "hx-swap-oob" not in quiet and 'id="case-live"' in quiet

    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Estamos en ello")
    ticket_add_note(ticket=ticket, by=cast.agent_l1, text="NOTA INTERNA")
    ticket_assign(ticket=ticket, by=cast.agent_l1, assignee=cast.agent_l1)
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    news = client.get(url, params, headers={"HX-Request": "true"}).content.decode()
    assert "Estamos en ello" in news and "NOTA INTERNA" not in news
    assert 'hx-swap-oob="beforeend:#timeline"' in news
    assert 'id="case-status" class="case-head__status" hx-swap-oob="true"' in news
    assert "En curso" in news
    assert "Cancelar caso" not in news  # the actions panel is refreshed too
    new_message = Message.objects.filter(ticket=ticket, kind="public").latest("id").pk
    new_event = Event.objects.filter(ticket=ticket, kind="status").latest("id").pk
    assert f"m={new_message}&amp;e={new_event}&amp;s=in_progress" in news


def test_contacts_without_the_cases_section_are_refused(client, cast, make_ticket):
    ticket = make_ticket(role="colleague")
    contact = cast.contacts["colleague"]
    contact.privileges = 0
    contact.save()
    client.force_login(cast.colleague)
    assert list_page(client).status_code == 403
    assert client.get(reverse("portal:case_new")).status_code == 403
    assert detail(client, ticket).status_code == 403
