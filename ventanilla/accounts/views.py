from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ventanilla.accounts.forms import LoginForm
from ventanilla.accounts.roles import is_customer, is_staff_member
from ventanilla.accounts.services import user_set_language


def home(request):
    """Send each person to their side of Ventanilla."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if is_staff_member(request.user):
        return redirect("console:home")
    if is_customer(request.user):
        return redirect("portal:home")
    return render(request, "accounts/no_access.html", status=403)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@require_POST
def language_set(request):
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "/"
    response = redirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
        translation.activate(language)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response
