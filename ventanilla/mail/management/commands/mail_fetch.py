from django.core.management.base import BaseCommand

from ventanilla.mail.imap import mailboxes_fetch
from ventanilla.mail.intake import inbound_process_pending, inbound_release_held


class Command(BaseCommand):
    help = "Fetch unseen mail from every active IMAP mailbox and process it (run every minute)."

    def handle(self, *args, **options):
        leftover = inbound_process_pending()
        count = mailboxes_fetch()
        released = inbound_release_held()
        self.stdout.write(
            f"{count} message(s) fetched, {leftover} left over processed, {released} released"
        )
