"""The prepared session and user loads (accounts/fastauth.py): same user as the ORM, and every
revocation takes effect on the very next request.

Changes below are made with `queryset.update()` (no signals, no shared Python object): that is
what a change made by another worker process looks like to this one. Nothing about who someone
is may survive such a change for even one request.
"""

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from ventanilla.accounts.fastauth import load_user
from ventanilla.accounts.models import User
from ventanilla.organizations.models import Contact, Organization
from ventanilla.staff.models import Agent
from ventanilla.testing.cast import PASSWORD

pytestmark = pytest.mark.django_db

CONSOLE = "/consola/"
PORTAL = "/area/"


def _login(user):
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


def _twin(client):
    """A second browser tab (or a request served by another worker) with the same cookie."""
    other = Client()
    other.cookies = client.cookies
    return other


def _is_login_redirect(response):
    return response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_load_user_equals_the_orm(cast):
    for key in ("agent_l1", "supervisor", "customer", "admin"):
        fast = load_user(cast.users[key].pk)
        orm = User.objects.get(pk=cast.users[key].pk)
        for field in User._meta.concrete_fields:
            assert getattr(fast, field.attname) == getattr(orm, field.attname), field.name
            assert type(getattr(fast, field.attname)) is type(getattr(orm, field.attname))
        assert fast._state.adding is False
        assert fast._state.db == "default"


def test_load_user_fills_roles_without_queries(cast, django_assert_num_queries):
    agent_user = load_user(cast.agent_l1.pk)
    customer = load_user(cast.customer.pk)
    with django_assert_num_queries(0):
        agent = agent_user.agent
        assert agent.user is agent_user
        with pytest.raises(Contact.DoesNotExist):
            agent_user.contact  # noqa: B018
        with pytest.raises(Agent.DoesNotExist):
            customer.agent  # noqa: B018
        contact = customer.contact
        assert contact.user is customer
        assert contact.organization.name == cast.orgs["a"].name
    assert _fields(Agent, agent) == _fields(Agent, Agent.objects.get(user=cast.agent_l1))
    assert contact == Contact.objects.get(user=cast.customer)
    for field in Contact._meta.concrete_fields:
        expected = getattr(Contact.objects.get(user=cast.customer), field.attname)
        assert getattr(contact, field.attname) == expected, field.name
    for field in Organization._meta.concrete_fields:
        assert getattr(contact.organization, field.attname) == getattr(
            cast.orgs["a"], field.attname
        ), field.name


def _fields(model, instance):
    return {f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields}


def test_load_user_of_nobody(db):
    assert load_user(987654) is None


def test_authenticated_redirect_costs_two_queries(cast, django_assert_num_queries):
    client = _login(cast.agent_l1)
    with django_assert_num_queries(2):  # the session row; the user with agent and contact
        response = client.get("/")
    assert response["Location"] == reverse("console:home")
    client = _login(cast.customer)
    with django_assert_num_queries(2):
        response = client.get("/")
    assert response["Location"] == reverse("portal:home")


def test_logout_ends_every_tab_at_once(cast):
    client = _login(cast.agent_l1)
    other = _twin(client)
    assert other.get(CONSOLE).status_code == 200
    client.post(reverse("accounts:logout"))
    assert _is_login_redirect(other.get(CONSOLE))


def test_password_changed_elsewhere_logs_the_session_out(cast):
    client = _login(cast.customer)
    assert client.get(PORTAL).status_code == 200
    User.objects.filter(pk=cast.customer.pk).update(password=make_password("another-pass-2026"))
    assert _is_login_redirect(client.get(PORTAL))


def test_deactivated_user_is_out_on_the_next_request(cast):
    client = _login(cast.agent_l1)
    assert client.get(CONSOLE).status_code == 200
    User.objects.filter(pk=cast.agent_l1.pk).update(is_active=False)
    assert _is_login_redirect(client.get(CONSOLE))


def test_deactivated_agent_loses_the_console_on_the_next_request(cast):
    client = _login(cast.agent_l1)
    assert client.get(CONSOLE).status_code == 200
    Agent.objects.filter(user=cast.agent_l1).update(is_active=False)
    assert client.get(CONSOLE).status_code == 403
    Agent.objects.filter(user=cast.agent_l1).update(is_active=True)
    assert client.get(CONSOLE).status_code == 200


def test_removed_agent_profile_is_seen_at_once(cast):
    client = _login(cast.agent_l2)
    assert client.get(CONSOLE).status_code == 200
    Agent.objects.filter(user=cast.agent_l2).delete()
    assert client.get(CONSOLE).status_code == 403


def test_deactivated_contact_loses_the_portal_on_the_next_request(cast):
    client = _login(cast.customer)
    assert client.get(PORTAL).status_code == 200
    Contact.objects.filter(user=cast.customer).update(state=Contact.State.INACTIVE)
    assert client.get(PORTAL).status_code == 403


def test_role_change_is_seen_on_the_next_request(cast):
    canned = reverse("console:canned_list")
    client = _login(cast.agent_l1)
    assert client.get(canned).status_code == 403
    Agent.objects.filter(user=cast.agent_l1).update(role=Agent.Role.SUPERVISOR)
    assert client.get(canned).status_code == 200
    Agent.objects.filter(user=cast.agent_l1).update(role=Agent.Role.AGENT)
    assert client.get(canned).status_code == 403


def test_organization_renamed_shows_in_the_user_menu_at_once(cast):
    client = _login(cast.customer)
    assert "Talleres Ebro S.L." in client.get(PORTAL).content.decode()
    Organization.objects.filter(pk=cast.orgs["a"].pk).update(name="Talleres Moncayo S.A.")
    assert "Talleres Moncayo S.A." in client.get(PORTAL).content.decode()


def test_expired_session_is_anonymous(cast):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = _login(cast.customer)
    assert client.get(PORTAL).status_code == 200
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now())
    assert _is_login_redirect(client.get(PORTAL))


def test_session_of_a_deleted_user_is_anonymous(cast):
    client = _login(cast.colleague)
    assert client.get(PORTAL).status_code == 200
    Contact.objects.filter(user=cast.colleague).update(user=None)
    User.objects.filter(pk=cast.colleague.pk).delete()
    assert _is_login_redirect(client.get(PORTAL))


def test_forged_session_hash_is_refused(cast):
    client = _login(cast.customer)
    session = client.session
    session["_auth_user_hash"] = "0" * 64
    session.save()
    assert _is_login_redirect(client.get(PORTAL))


def test_session_of_another_backend_goes_through_django(cast, settings):
    from django.contrib.sessions.backends.db import SessionStore

    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "django.contrib.auth.backends.AllowAllUsersModelBackend",
    ]
    client = _login(cast.customer)
    store = SessionStore(client.cookies["sessionid"].value)
    store["_auth_user_backend"] = "django.contrib.auth.backends.AllowAllUsersModelBackend"
    store.save()
    assert client.get(PORTAL).status_code == 200
    User.objects.filter(pk=cast.customer.pk).update(is_active=False)
    # AllowAllUsersModelBackend lets inactive users in: Django's path, not ours, decided.
    assert client.get(PORTAL).status_code == 200
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    assert _is_login_redirect(client.get(PORTAL))


@pytest.mark.postgres
def test_a_login_is_found_by_email_through_its_index_whatever_the_case(cast):
    """Logging in and setting a contact's password look the login up by email, case folded:
    served by `user_email_upper_idx` on PostgreSQL and SQLite, not a scan of the users."""
    from django.db import connection

    assert User.objects.get_by_natural_key(cast.customer.email.upper()) == cast.customer
    lookup = User.objects.by_email(cast.customer.email.title())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = lookup.explain()
    assert "user_email_upper_idx" in plan, plan
    assert "Seq Scan" not in plan and "SCAN accounts_user" not in plan, plan
