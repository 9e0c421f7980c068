import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ventanilla.mail.inbound import parse_email
from ventanilla.mail.inbound.corpus_format import to_corpus_json


class Command(BaseCommand):
    help = (
        "Parse one raw email (RFC 822 / MIME) and print what was read as JSON, in the format of "
        "the shared email corpus (see docs/email-parsing.md). Reads no database."
    )
    requires_system_checks = []  # a pure parse: no reason to pay for the checks on every call

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the raw message, or - for standard input")
        parser.add_argument("--indent", type=int, default=None, help="pretty-print the JSON")

    def handle(self, *args, **options):
        raw = self._read(options["file"])
        data = to_corpus_json(parse_email(raw))
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=options["indent"])
        self.stdout.write(text)

    def _read(self, name):
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {name}: {error.strerror}") from error
