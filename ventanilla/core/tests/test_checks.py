from ventanilla.core.checks import check_production_settings, check_time_is_utc


def ids(errors):
    return sorted(error.id for error in errors)


def test_time_zone_other_than_utc_is_an_error(settings):
    assert check_time_is_utc(None) == []
    settings.TIME_ZONE = "Europe/Madrid"
    assert ids(check_time_is_utc(None)) == ["ventanilla.E001"]


def test_production_refuses_dev_key_debug_and_fake_mail(settings):
    settings.ENVIRONMENT = "production"
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    settings.DEBUG = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
    settings.DEFAULT_FROM_EMAIL = "soporte@ventanilla.localhost"
    assert ids(check_production_settings(None)) == [
        "ventanilla.E002",
        "ventanilla.E003",
        "ventanilla.E004",
        "ventanilla.E005",
    ]


def test_a_configured_production_passes(settings):
    settings.ENVIRONMENT = "production"
    settings.SECRET_KEY = "k" * 50
    settings.DEBUG = False
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    settings.DEFAULT_FROM_EMAIL = "Soporte <soporte@empresa.es>"
    assert check_production_settings(None) == []


def test_development_is_not_held_to_production_rules(settings):
    settings.ENVIRONMENT = "development"
    settings.SECRET_KEY = settings.DEV_SECRET_KEY
    assert check_production_settings(None) == []


def test_mail_url_builds_an_smtp_mailer():
    from ventanilla.settings import mailer_from_url

    mailer = mailer_from_url("smtp://ana%40x.es:s3cr%3At@mail.x.es:587?tls=1")
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    options = mailer["OPTIONS"]
    assert (options["host"], options["port"], options["use_tls"]) == ("mail.x.es", 587, True)
    assert (options["username"], options["password"]) == ("ana@x.es", "s3cr:t")
