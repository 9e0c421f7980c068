from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation


class UserLanguageMiddleware:
    """Activate the logged-in user's language (after LocaleMiddleware has guessed one) and the
    desk's display time zone, so `|date` and `{% now %}` show local time, not UTC storage time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(ZoneInfo(settings.VENTANILLA_DISPLAY_TIME_ZONE))
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            # floor: the user is loaded now; hand views and templates the object itself rather
            # than the lazy proxy (each attribute read through it costs a Python call).
            request.user = user = getattr(user, "_wrapped", user)
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
