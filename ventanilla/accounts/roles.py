"""Who a logged-in user is: a customer contact, an agent, a supervisor, or nobody of ours.

Reverse one-to-one lookups are cached by Django on the user instance, so these are cheap.
"""

from django.core.exceptions import ObjectDoesNotExist


def agent_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        agent = user.agent
    except ObjectDoesNotExist:
        return None
    return agent if agent.is_active else None


def contact_of(user):
    """The user's active contact, or None (pending or rejected contacts see nothing)."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        contact = user.contact
    except ObjectDoesNotExist:
        return None
    return contact if contact.is_active else None


def is_staff_member(user):
    return agent_of(user) is not None or getattr(user, "is_superuser", False)


def is_supervisor(user):
    agent = agent_of(user)
    return getattr(user, "is_superuser", False) or (agent is not None and agent.is_supervisor)


def is_customer(user):
    return contact_of(user) is not None
