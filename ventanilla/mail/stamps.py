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

from contextlib import contextmanager
from uuid import uuid4

from django.db import connection

CONFIG = "config"
WATCHED = (
    ("mail", "IntakeAddress"),
    ("sla", "SlaPolicy"),
    ("sla", "SlaTarget"),
    ("sla", "BusinessCalendar"),
    # the agents told of new cases (tickets.notifications.agents_to_notify)
    ("staff", "Agent"),
    ("staff", "Team"),
    ("accounts", "User"),
)
# A user saved with only these fields (every login, a password change) changes nothing cached.
USER_FIELDS_IGNORED = frozenset({"last_login", "password"})


def stamp_token(name=CONFIG):
    memo = getattr(connection, "_ventanilla_stamp_memo", None)
    if memo is not None and name in memo:  # inside `stamp_read_once()`
        return memo[name]
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM mail_configstamp WHERE name = %s", [name])
        row = cursor.fetchone()
    token = row[0] if row else None
    if memo is not None:
        memo[name] = token
    return token


def config_changed(name=CONFIG):
    """A new token: every process reloads what it cached under the old one."""
    from ventanilla.mail.models import ConfigStamp

    token = uuid4().hex
    ConfigStamp.objects.update_or_create(name=name, defaults={"token": token})
    memo = getattr(connection, "_ventanilla_stamp_memo", None)
    if memo is not None:  # a change inside `stamp_read_once()`: followed at once
        memo[name] = token


@contextmanager
def stamp_read_once():
    """Read each stamp at most once in this block, on this connection (intake batches: the
    configuration is checked once per batch, not three times per message). A change made in the
    block (`config_changed`) is followed at once; a change committed by another process during
    the block is seen by the next block: use it around one transaction (a batch of messages,
    well under a second), not around a long-running loop. Nested blocks share the outer memo."""
    if getattr(connection, "_ventanilla_stamp_memo", None) is not None:
        yield
        return
    connection._ventanilla_stamp_memo = {}
    try:
        yield
    finally:
        connection._ventanilla_stamp_memo = None


def stamp_memo_forget():
    """Inside `stamp_read_once()`, after a savepoint rollback: read the stamps again (a change
    made and rolled back in the block must not stay in the memo)."""
    memo = getattr(connection, "_ventanilla_stamp_memo", None)
    if memo is not None:
        memo.clear()


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
