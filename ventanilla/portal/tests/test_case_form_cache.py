"""The case form's choices and the agents' "new case" preferences are kept in memory behind the
configuration stamp (branch create, docs/perf-writes.md); they must follow every change, and the
stamp is read once per transaction."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ventanilla.accounts.services import notification_preferences_save
from ventanilla.catalog.models import Product
from ventanilla.mail.models import OutboundEmail
from ventanilla.mail.stamps import config_changed, forget_transaction_memo, stamp_token
from ventanilla.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _form(cast, product):
    return {
        "request_type": cast.request_type.pk,
        "product": product.pk,
        "severity": "C",
        "subject": "No imprime",
        "description": "Desde ayer",
        "consent": "on",
    }


def test_the_form_choices_follow_the_catalogue(client, cast):
    client.force_login(cast.customer)
    url, product = reverse("portal:case_new"), cast.products["erp"]
    assert client.post(url, _form(cast, product)).status_code == 302  # cache warm
    product.is_active = False
    product.save()
    refused = client.post(url, _form(cast, product))
    assert refused.status_code == 400
    assert "product" in refused.context["form"].errors
    assert Ticket.objects.count() == 1
    new = Product.objects.create(name="Almacén", code="ALM", is_active=True)
    created = client.post(url, _form(cast, new))
    assert created.status_code == 302
    assert Ticket.objects.latest("pk").product == new
    wrong = client.post(url, {**_form(cast, new), "request_type": "999999"})
    assert "request_type" in wrong.context["form"].errors


def test_agents_who_mute_new_cases_after_the_cache_is_warm_are_not_told(cast, make_ticket):
    first = make_ticket()  # loads the agents and their preferences
    assert OutboundEmail.objects.filter(ticket=first, template="agent_new_case").exists()
    notification_preferences_save(user=cast.users["agent_l1"], values={"team_new_case": False})
    second = make_ticket()
    assert not OutboundEmail.objects.filter(ticket=second, template="agent_new_case").exists()
    notification_preferences_save(user=cast.users["agent_l1"], values={"team_new_case": True})
    third = make_ticket()
    assert OutboundEmail.objects.filter(ticket=third, template="agent_new_case").exists()


def test_the_stamp_is_read_once_per_transaction_and_again_after_a_change(db):
    forget_transaction_memo()
    with CaptureQueriesContext(connection) as reads, transaction.atomic():
        token = stamp_token()
        assert stamp_token() == token
    assert len([q for q in reads if "mail_configstamp" in q["sql"]]) == 1
    with transaction.atomic():
        config_changed()
        changed = stamp_token()
        assert changed != token
        with pytest.raises(RuntimeError), transaction.atomic():
            config_changed()
            assert stamp_token() not in (token, changed)
            raise RuntimeError("rolled back")
        assert stamp_token() == changed  # the rolled-back savepoint's token is forgotten
