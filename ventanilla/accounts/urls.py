from django.urls import path

from ventanilla.accounts import views

app_name = "accounts"
urlpatterns = [
    path("entrar/", views.LoginView.as_view(), name="login"),
    path("salir/", views.LogoutView.as_view(), name="logout"),
    path("idioma/", views.language_set, name="language"),
    path("no-puedo-acceder/", views.recover, name="recover"),
    path("contrasena/<str:token>/", views.reset, name="reset"),
    path("crear-cuenta/", views.signup, name="signup"),
    path("crear-cuenta/<str:token>/", views.signup_confirm, name="signup_confirm"),
]
