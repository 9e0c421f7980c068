from django.urls import path

from ventanilla.console import views

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("adjuntos/<int:pk>/", views.attachment_download, name="attachment"),
    path("correo/cuarentena/", views.quarantine, name="quarantine"),
]
