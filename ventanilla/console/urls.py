from django.urls import path

from ventanilla.console import sla_views, views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("adjuntos/<int:pk>/", views.attachment_download, name="attachment"),
    path("sla/cumplimiento/", sla_views.sla_report, name="sla_report"),  # sla branch
    path("correo/cuarentena/", views.quarantine, name="quarantine"),
]
