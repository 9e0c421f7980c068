from django.conf import settings


def ventanilla(request):
    return {"brand": settings.VENTANILLA_BRAND}
