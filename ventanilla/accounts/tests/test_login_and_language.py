import pytest
from django.urls import reverse

from ventanilla.testing.cast import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_by_email_ignores_case_and_sends_customers_to_their_area(client, cast):
    response = client.post(
        reverse("accounts:login"), {"username": "LUCIA@TalleresEbro.test", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("portal:home")


def test_staff_land_in_the_console(client, cast):
    client.force_login(cast.agent_l1)
    assert client.get(reverse("home"))["Location"] == reverse("console:home")


def test_wrong_password_shows_a_spanish_error(client, cast):
    response = client.post(
        reverse("accounts:login"), {"username": "lucia@talleresebro.test", "password": "nope"}
    )
    assert response.status_code == 200
    assert "El correo o la contraseña no son correctos" in response.content.decode()


def test_language_choice_is_saved_on_the_user_and_used_next_time(client, cast):
    client.force_login(cast.customer)
    client.post(reverse("accounts:language"), {"language": "en", "next": reverse("portal:home")})
    cast.customer.refresh_from_db()
    assert cast.customer.language == "en"
    client.cookies.clear()
    client.force_login(cast.customer)
    assert client.get(reverse("portal:home"))["Content-Language"] == "en"


def test_spanish_is_the_default_language(client, cast):
    client.force_login(cast.customer)
    assert client.get(reverse("portal:home"))["Content-Language"] == "es"


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post(
        reverse("accounts:language"), {"language": "es", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_login_without_contact_or_agent_profile_gets_a_clear_no_access_page(client, db):
    from ventanilla.accounts.services import user_create

    user = user_create(email="nadie@ejemplo.es", full_name="Nadie", password=PASSWORD)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 403


def test_pages_show_times_in_the_desk_time_zone(rf, settings):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from ventanilla.accounts.middleware import UserLanguageMiddleware

    settings.VENTANILLA_DISPLAY_TIME_ZONE = "America/Mexico_City"
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    request = rf.get("/")
    request.user = AnonymousUser()
    UserLanguageMiddleware(view)(request)
    assert seen["zone"] == "America/Mexico_City"
