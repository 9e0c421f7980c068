"""`{% case_rating ticket %}`: the satisfaction box of a case page (renders nothing while the
case is not resolved or closed). Load with `{% load portal_ratings %}`."""

from django import template

from ventanilla.portal.ratings import case_rating_context

register = template.Library()


@register.inclusion_tag("portal/ratings/_case_rating.html", takes_context=True)
def case_rating(context, ticket, rating=None):
    return {
        **case_rating_context(ticket, rating),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
