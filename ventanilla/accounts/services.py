from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.accounts.models import User


@transaction.atomic
def user_create(*, email, full_name, password=None, language=None, **fields):
    user = User.objects.create_user(
        email=email,
        password=password,
        full_name=full_name,
        language=language or settings.LANGUAGE_CODE,
        **fields,
    )
    return user


@transaction.atomic
def user_set_language(*, user, language):
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Unknown language."))
    user.language = language
    user.save(update_fields=["language"])
    return user
