from django.tasks import task

from ventanilla.mail import services


@task()
def send_outbound_email(email_id):
    services.outbound_email_send(email_id=email_id)


@task()
def send_outbound_emails(email_ids):
    """The emails one transaction queued, in one task (each tried on its own: a failure is
    recorded on its row and retried later, the others are still sent)."""
    failed = None
    for email_id in email_ids:
        try:
            services.outbound_email_send(email_id=email_id)
        except Exception as error:  # e.g. the database: the retry sweep takes the row again
            services.log.exception("sending email %s", email_id)
            failed = error
    if failed is not None:
        raise failed


@task()
def retry_outbox():
    return services.outbox_retry_due()


@task()
def fetch_mailboxes():
    from ventanilla.mail.imap import mailboxes_fetch
    from ventanilla.mail.intake import inbound_process_pending, inbound_release_held

    inbound_process_pending()
    count = mailboxes_fetch()
    inbound_release_held()
    return count


@task()
def process_inbound_email(inbound_id):
    from ventanilla.mail.intake import inbound_process

    inbound_process(inbound_id)
