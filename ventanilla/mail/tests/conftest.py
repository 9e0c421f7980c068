import shutil
import tempfile

import pytest

from ventanilla.mail.tests.servers import Dovecot


@pytest.fixture
def dovecot():
    # Not under pytest's tmp dir: its 0700 parents would hide the passwd file from Dovecot's
    # unprivileged auth process.
    directory = tempfile.mkdtemp(prefix="ventanilla-dovecot-")
    server = Dovecot(directory).start()
    yield server
    server.stop()
    shutil.rmtree(directory, ignore_errors=True)
