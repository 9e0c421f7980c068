from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ventanilla.accounts import tasks, throttle
from ventanilla.accounts.forms import LoginForm, PasswordChooseForm, RecoverForm, SignupForm
from ventanilla.accounts.models import User
from ventanilla.accounts.roles import is_customer, is_staff_member
from ventanilla.accounts.services import (
    LINK_RESET,
    LINK_SIGNUP,
    access_link_read,
    access_link_redeem,
    user_set_language,
)
from ventanilla.lib.tokens import BadToken


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


# ---- "¿No puedes acceder?", account creation, choosing a password ----


def anonymous_only(view):
    """People already logged in have nothing to do on these pages: send them home."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return view(request, *args, **kwargs)

    return wrapper


def _help_form_view(request, *, form_class, template, start):
    """Shared by recovery and sign-up: throttle by address, then always the same neutral answer;
    the work itself runs as a task so the answer takes the same time whatever matched."""
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = throttle.client_ip(request)
        if wait := throttle.help_wait(ip=ip):
            form.add_error(None, throttle.wait_message(wait))
        else:
            if throttle.help_request_count(email=form.cleaned_data["email"], ip=ip):
                start(form.cleaned_data, translation.get_language())
            return render(request, template.replace(".html", "_sent.html"), {"form": form})
    return render(request, template, {"form": form})


@never_cache
@anonymous_only
def recover(request):
    def start(data, language):
        tasks.access_recover.enqueue(data["code"], data["tax_id"], data["email"], language)

    return _help_form_view(
        request, form_class=RecoverForm, template="accounts/recover.html", start=start
    )


@never_cache
@anonymous_only
def signup(request):
    def start(data, language):
        args = (data["name"], data["email"], data["code"], data["tax_id"], data["phone"])
        tasks.access_signup.enqueue(*args, language)

    return _help_form_view(
        request, form_class=SignupForm, template="accounts/signup.html", start=start
    )


def _link_invalid(request, purpose, *, expired):
    hours = settings.VENTANILLA_LOGIN_LINK_HOURS
    context = {"expired": expired, "purpose": purpose, "link_hours": hours}
    return render(request, "accounts/link_invalid.html", context)


def _password_choose(request, token, purpose):
    try:
        contact = access_link_read(purpose=purpose, token=token)
    except BadToken as error:
        return _link_invalid(request, purpose, expired=error.expired)
    user = contact.user or User(email=contact.email, full_name=contact.name)
    form = PasswordChooseForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = access_link_redeem(
                purpose=purpose,
                token=token,
                password=form.cleaned_data["password1"],
                language=translation.get_language(),
            )
        except BadToken:
            return _link_invalid(request, purpose, expired=False)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            throttle.login_succeeded(email=user.email)
            messages.success(request, _("Your password is saved. Welcome to the customer area."))
            return redirect("home")
    context = {"form": form, "contact": contact, "purpose": purpose, "new": contact.user is None}
    return render(request, "accounts/password_choose.html", context)


@never_cache
@sensitive_post_parameters("password1", "password2")
@anonymous_only
def reset(request, token):
    return _password_choose(request, token, LINK_RESET)


@never_cache
@sensitive_post_parameters("password1", "password2")
@anonymous_only
def signup_confirm(request, token):
    return _password_choose(request, token, LINK_SIGNUP)
