from django.core.management.base import BaseCommand

from ventanilla.mail.services import outbox_retry_due


class Command(BaseCommand):
    help = "Send queued and failed emails whose retry time has come (run every minute)."

    def handle(self, *args, **options):
        count = outbox_retry_due()
        self.stdout.write(f"{count} email(s) tried")
