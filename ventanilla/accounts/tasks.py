"""The recovery and sign-up requests run as tasks: the page answers at once and in the same time
whether or not the client code, CIF and email matched anything (no timing oracle)."""

from django.tasks import task

from ventanilla.accounts import services


@task()
def access_recover(code, tax_id, email, language):
    return services.access_recover_request(code=code, tax_id=tax_id, email=email, language=language)


@task()
def access_signup(name, email, code, tax_id, phone, language):
    return services.access_signup_request(
        name=name, email=email, code=code, tax_id=tax_id, phone=phone, language=language
    )
