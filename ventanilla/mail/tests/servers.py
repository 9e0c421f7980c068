"""A real Dovecot IMAP server on 127.0.0.1 for tests, with its own config in a temp dir."""

import getpass
import mailbox
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "soporte", "secret"

CONFIG = """
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
info_log_path = {dir}/dovecot.log
default_login_user = {login_user}
default_internal_user = {login_user}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{dir}/mail/%n/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Dovecot:
    def __init__(self, directory):
        self.dir = Path(directory)
        self.port = free_port()
        self.maildir_path = self.dir / "mail" / USER / "Maildir"

    def start(self):
        if not os.path.exists(DOVECOT):
            pytest.fail(
                "dovecot is not installed: apt-get install -y dovecot-imapd (scripts/test does it)"
            )
        for sub in ("run", "state", "mail"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        login_user = "dovecot" if os.geteuid() == 0 else getpass.getuser()
        self.uid, self.gid = _mail_ids()
        (self.dir / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        config = CONFIG.format(
            dir=self.dir, port=self.port, login_user=login_user, uid=self.uid, gid=self.gid
        )
        (self.dir / "dovecot.conf").write_text(config)
        os.chmod(self.dir, 0o755)  # noqa: S103 (Dovecot's own users must read it)
        self.maildir()  # created by us, owned by the test user
        subprocess.run([DOVECOT, "-c", str(self.dir / "dovecot.conf")], check=True)  # noqa: S603
        deadline = time.monotonic() + 30  # generous: a loaded 2-core CI machine starts it slowly
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        log = (self.dir / "dovecot.log").read_text() if (self.dir / "dovecot.log").exists() else ""
        pytest.fail(f"dovecot did not start:\n{log}")

    def stop(self):
        subprocess.run(  # noqa: S603
            [DOVECOT, "-c", str(self.dir / "dovecot.conf"), "stop"], check=False
        )

    def maildir(self):
        self.maildir_path.parent.mkdir(parents=True, exist_ok=True)
        box = mailbox.Maildir(self.maildir_path, create=True)
        self._give_to_mail_user()
        return box

    def deliver(self, raw):
        key = self.maildir().add(mailbox.MaildirMessage(raw))
        self._give_to_mail_user()
        return key

    def _give_to_mail_user(self):
        if os.geteuid() != 0:
            return
        for root, dirs, files in os.walk(self.dir / "mail"):
            for name in [*dirs, *files]:
                os.chown(os.path.join(root, name), self.uid, self.gid)
        os.chown(self.dir / "mail", self.uid, self.gid)


def _mail_ids():
    """Dovecot never runs mail processes as root: as root, use the dovecot user's ids."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    import pwd

    entry = pwd.getpwnam("dovecot")
    return entry.pw_uid, entry.pw_gid
