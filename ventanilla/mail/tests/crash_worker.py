"""Subprocess used by test_crash_safety: `python -m ventanilla.mail.tests.crash_worker setup|run
DIR`. Runs against the SQLite file named by VENTANILLA_SQLITE_PATH."""

import os
import sys
from pathlib import Path


def main(command, directory):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django

    django.setup()
    if command == "setup":
        from django.core.management import call_command

        from ventanilla.testing.cast import build_cast

        call_command("migrate", verbosity=0)
        build_cast()
        return
    from ventanilla.mail.intake import inbound_process_pending, inbound_receive
    from ventanilla.mail.models import InboundEmail

    inbound_process_pending()
    for path in sorted(Path(directory).glob("*.eml")):
        inbound_receive(path.read_bytes(), InboundEmail.Source.PIPE)
    print("done")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
