"""`manage.py search_rebuild`: rebuild the keyword search index of every case (docs/search.md).

Needed after loading cases without the services (bulk imports, the bench seeder, restoring a
dump taken without the index); safe to run at any time.
"""

import sys
import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from ventanilla.tickets.search import search_rebuild


class Command(BaseCommand):
    help = "Rebuild the keyword search index of every case, in batches."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=20_000, help="Case ids per batch (default 20000)."
        )
        parser.add_argument(
            "--no-progress",
            dest="progress",
            action="store_false",
            help="Do not show the progress bar (hidden anyway when stderr is no terminal).",
        )

    def handle(self, *args, batch, progress, **options):
        started = time.monotonic()
        show = progress and sys.stderr.isatty()
        with tqdm(total=0, unit="id", disable=not show, desc="search index") as bar:

            def advance(done, total):
                bar.total = total
                bar.update(done - bar.n)

            count = search_rebuild(batch=max(1, batch), progress=advance)
        seconds = time.monotonic() - started
        self.stdout.write(f"Search index rebuilt: {count} cases in {seconds:.1f} s.")
