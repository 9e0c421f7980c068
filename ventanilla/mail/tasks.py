from django.tasks import task

from ventanilla.mail import services


@task()
def send_outbound_email(email_id):
    services.outbound_email_send(email_id=email_id)


@task()
def retry_outbox():
    return services.outbox_retry_due()
