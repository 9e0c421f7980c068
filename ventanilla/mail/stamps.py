"""Read-mostly configuration kept in memory per process, checked against a stamp (perf-writes).

Opening a case reads the SLA policies with their targets and calendars, and email intake the
intake addresses. They change a few times a year but cost several ORM queries per case. A
`StampedCache` keeps the loaded value with the token of the `ConfigStamp` row it was loaded
under; every use reads the token (one indexed one-row SELECT through the raw cursor, no model
machinery) and loads again when it changed.

The token changes (a new random value, in the same transaction as the change) on every save or
delete of the models in `WATCHED` (signals connected in `MailConfig.ready`), and wherever code
writes them in bulk (`queryset.update()`, `bulk_create` send no signals): call `config_changed()`
there. Because the token is random and rolled back with its transaction, a value loaded inside a
transaction that is later rolled back (every test) is never taken for the committed state. No
stamp row (a flushed database): nothing is cached.
"""

from uuid import uuid4

from django.db import connection, transaction

CONFIG = "config"
WATCHED = (
    ("mail", "IntakeAddress"),
    ("sla", "SlaPolicy"),
    ("sla", "SlaTarget"),
    ("sla", "BusinessCalendar"),
    ("sla", "CalendarClosure"),  # the closures of each calendar (sla.services.stored_calendar)
    # the agents told of new cases (tickets.notifications.agents_to_notify)
    ("staff", "Agent"),
    ("staff", "Team"),
    ("accounts", "User"),
    # the choices of the customer's case form (portal.forms.catalog_choices, branch create)
    ("catalog", "RequestType"),
    ("catalog", "Product"),
    ("catalog", "ProductVersion"),
    # the agents who switched off "new case for my team" (tickets.notifications, branch create)
    ("accounts", "NotificationPreference"),
)
# A user saved with only these fields (every login, a password change) changes nothing cached.
USER_FIELDS_IGNORED = frozenset({"last_login", "password"})


def stamp_token(name=CONFIG):
    """The current token. Inside a transaction it is read once and remembered until that
    transaction ends (branch create: opening a case used to read it once per cache, i.e. for the
    SLA policies and again for the agents told); `config_changed()` forgets it at once."""
    memo = _transaction_memo()
    if memo is not None and name in memo:
        return memo[name]
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM mail_configstamp WHERE name = %s", [name])
        row = cursor.fetchone()
    token = row[0] if row else None
    if memo is not None:
        memo[name] = token
    return token


class _TransactionMemo:
    """Tokens read in the current transaction. It is registered as an on-commit hook (a no-op
    but for forgetting): Django drops its hooks when the transaction commits or rolls back, and
    when the savepoint it was registered in rolls back; a memo whose hook is no longer pending
    is therefore never used again, and the next read asks the database."""

    def __init__(self):
        self.tokens = {}

    def __call__(self):
        self.tokens = {}


def _transaction_memo():
    if not connection.in_atomic_block:
        return None  # autocommit: every read asks (another process may have committed)
    memo = getattr(connection, "_ventanilla_stamp_memo", None)
    if memo is not None and any(hook is memo for _sids, hook, *_ in connection.run_on_commit):
        return memo.tokens
    memo = _TransactionMemo()
    connection._ventanilla_stamp_memo = memo
    transaction.on_commit(memo)
    return memo.tokens


def forget_transaction_memo():
    """The next read asks the database again (tests measuring a request's queries: a test runs
    inside one transaction, which would otherwise remember the token from the start)."""
    connection._ventanilla_stamp_memo = None


def config_changed(name=CONFIG):
    """A new token: every process reloads what it cached under the old one."""
    from ventanilla.mail.models import ConfigStamp

    forget_transaction_memo()  # this transaction reads the new token
    ConfigStamp.objects.update_or_create(name=name, defaults={"token": uuid4().hex})
    forget_transaction_memo()


def _changed(sender, raw=False, update_fields=None, **kwargs):
    if raw:  # fixtures (loaddata) bring their own state; a migrated database has a row
        return
    user_noise = sender._meta.label == "accounts.User" and update_fields
    if user_noise and set(update_fields) <= USER_FIELDS_IGNORED:
        return
    config_changed()


def _teams_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        config_changed()


def connect_signals():
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for app_label, model_name in WATCHED:
        model = apps.get_model(app_label, model_name)
        uid = f"config-stamp-{app_label}-{model_name}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
    memberships = apps.get_model("staff", "Agent").teams.through
    m2m_changed.connect(_teams_changed, sender=memberships, dispatch_uid="config-stamp-teams")


class StampedCache:
    """`get()` returns `load()`'s value, loaded again only when the stamp changed. The value is
    shared: callers must not change it."""

    def __init__(self, load, name=CONFIG):
        self.load, self.name = load, name
        self._entry = (None, None)  # (token, value): swapped in one assignment

    def get(self):
        token = stamp_token(self.name)
        if token is None:
            return self.load()
        cached_token, value = self._entry
        if cached_token != token:
            value = self.load()
            self._entry = (token, value)
        return value

    def clear(self):
        self._entry = (None, None)
