from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from ventanilla.accounts import views as account_views
from ventanilla.mail.webhooks import mailgun_inbound

urlpatterns = [
    path("", account_views.home, name="home"),
    path("cuenta/", include("ventanilla.accounts.urls")),
    path("area/", include("ventanilla.portal.urls")),
    path("consola/", include("ventanilla.console.urls")),
    path("admin/", admin.site.urls),
    path("correo/entrante/mailgun/", mailgun_inbound, name="mail_inbound_mailgun"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]
