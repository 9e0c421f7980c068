from django.tasks import task

from ventanilla.mail import services


@task()
def send_outbound_email(email_id):
    services.outbound_email_send(email_id=email_id)


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
