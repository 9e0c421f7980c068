from ventanilla.organizations.models import Contact


def contacts_pending_for(organization):
    return Contact.objects.filter(organization=organization, state=Contact.State.PENDING)
