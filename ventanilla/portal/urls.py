from django.urls import path

from ventanilla.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("adjuntos/<int:pk>/", views.attachment_download, name="attachment"),
]
