"""Who is asking, in two raw queries (branch `floor`, issue 7 round 3).

Every authenticated request used to pay three or four ORM queries before its own work: the
session row, the user, then `user.agent` and `user.contact` (and `contact.organization` in the
portal's user menu), each compiled by the ORM on every request (≈ 0.3–0.5 ms apiece). Here:

- `SessionStore.load()` reads the session row with one prepared SQL statement through the raw
  cursor (same conditions as Django's: this key, not expired);
- `AuthenticationMiddleware` loads the user together with their agent profile, contact and the
  contact's organization in one prepared `LEFT JOIN` statement, and puts the three on the user's
  relation caches, so `roles.agent_of()` / `roles.contact_of()` and the layouts query nothing.

Nothing is cached between requests: both rows are read from the database on every request, so a
logout, a password change (session auth hash), a deactivated user, agent or contact, a changed
role or organization takes effect on the very next request in every worker process. Only the
SQL text and the column converters are kept per process (they depend on the schema alone).

The verification after loading is Django's `django.contrib.auth.get_user()`, step for step
(backend listed in settings, `is_active`, session hash with the fallback secrets). Sessions
logged in through another backend than `ModelBackend` take Django's own path.
"""

from functools import partial

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.middleware import auser
from django.contrib.sessions.backends import db as db_sessions
from django.db import connections, router
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from ventanilla.core.prepared import PreparedJoin

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _prepared_user(using):
    """The user with agent, contact and organization: one `PreparedJoin` (core/prepared.py)."""
    from ventanilla.accounts.models import User
    from ventanilla.organizations.models import Contact, Organization
    from ventanilla.staff.models import Agent

    qn = connections[using].ops.quote_name
    parts = [
        ("user", User, "u", None),
        ("agent", Agent, "a", f"a.{qn('user_id')} = u.{qn('id')}"),
        ("contact", Contact, "c", f"c.{qn('user_id')} = u.{qn('id')}"),
        ("organization", Organization, "o", f"o.{qn('id')} = c.{qn('organization_id')}"),
    ]
    return PreparedJoin(using, parts, "id")


_prepared = {}


def load_user(pk):
    """The user `pk` with `.agent`, `.contact` and `.contact.organization` already loaded (None
    when missing), in one query; None when there is no such user."""
    from ventanilla.accounts.models import User
    from ventanilla.organizations.models import Contact
    from ventanilla.staff.models import Agent

    using = router.db_for_read(User)
    prepared = _prepared.get(using)
    if prepared is None:
        prepared = _prepared[using] = _prepared_user(using)
    found = prepared.load(pk)
    if found is None:
        return None
    user, agent, contact = found["user"], found["agent"], found["contact"]
    # Reverse one-to-one caches: a cached None makes `user.agent` raise DoesNotExist, as a query
    # finding nothing would.
    User.agent.related.set_cached_value(user, agent)
    User.contact.related.set_cached_value(user, contact)
    if agent is not None:
        Agent.user.field.set_cached_value(agent, user)
    if contact is not None:
        Contact.user.field.set_cached_value(contact, user)
        Contact.organization.field.set_cached_value(contact, found["organization"])
    return user


def get_user(request):
    """`django.contrib.auth.get_user()` with the user loaded by `load_user()` (ModelBackend
    sessions; others go through Django's function)."""
    from django.contrib.auth.models import AnonymousUser

    try:
        user_id = auth._get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path != MODEL_BACKEND or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    backend = auth.load_backend(backend_path)
    user = load_user(user_id)
    if user is None or not backend.user_can_authenticate(user):
        user = None
    if user is not None:
        session_hash = request.session.get(HASH_SESSION_KEY)
        session_auth_hash = user.get_session_auth_hash()
        verified = bool(session_hash) and constant_time_compare(session_hash, session_auth_hash)
        if not verified:
            if session_hash and any(
                constant_time_compare(session_hash, fallback)
                for fallback in user.get_session_auth_fallback_hash()
            ):
                request.session.cycle_key()
                request.session[HASH_SESSION_KEY] = session_auth_hash
            else:
                request.session.flush()
                user = None
    return user or AnonymousUser()


def _cached_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = get_user(request)
    return request._cached_user


class AuthenticationMiddleware(DjangoAuthentication):
    """Django's middleware (a subclass, so the admin's checks recognise it) with `get_user()`
    above for synchronous requests."""

    def process_request(self, request):
        super().process_request(request)  # its checks and `request.auser`
        request.user = SimpleLazyObject(partial(_cached_user, request))
        request.auser = partial(auser, request)


class SessionStore(db_sessions.SessionStore):
    """Django's database sessions, read with one prepared statement (no ORM compilation).
    Writes (login, logout, messages, cycle_key) are Django's own."""

    _sql = {}

    def _load_sql(self, using):
        sql = self._sql.get(using)
        if sql is None:
            qn = connections[using].ops.quote_name
            sql = self._sql[using] = (
                f"SELECT {qn('session_data')} FROM {qn(self.model._meta.db_table)} "  # noqa: S608
                f"WHERE {qn('session_key')} = %s AND {qn('expire_date')} > %s"
            )
        return sql

    def load(self):
        using = router.db_for_read(self.model)
        connection = connections[using]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(self._load_sql(using), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
