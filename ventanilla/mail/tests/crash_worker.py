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
    from ventanilla.mail.intake import (
        inbound_process_pending,
        inbound_receive,
        inbound_receive_batch,
    )
    from ventanilla.mail.models import InboundEmail

    inbound_process_pending()
    paths = sorted(Path(directory).glob("*.eml"))
    batch = int(os.environ.get("VENTANILLA_CRASH_BATCH", "1"))  # > 1: inbound_receive_batch
    if batch > 1:
        for start in range(0, len(paths), batch):
            raws = [path.read_bytes() for path in paths[start : start + batch]]
            inbound_receive_batch(raws, InboundEmail.Source.PIPE)
    else:
        for path in paths:
            inbound_receive(path.read_bytes(), InboundEmail.Source.PIPE)
    print("done")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
