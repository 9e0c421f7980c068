from django.urls import path

from ventanilla.portal import case_views, contact_views, rating_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("adjuntos/<int:pk>/", views.attachment_download, name="attachment"),
    # ---- contacts ----
    path("contactos/", contact_views.contacts, name="contacts"),
    path("contactos/nuevo/", contact_views.contact_new, name="contact_new"),
    path("contactos/<int:pk>/", contact_views.contact_edit, name="contact_edit"),
    path(
        "contactos/<int:pk>/desactivar/",
        contact_views.contact_deactivate_view,
        name="contact_deactivate",
    ),
    path(
        "contactos/<int:pk>/reactivar/",
        contact_views.contact_reactivate_view,
        name="contact_reactivate",
    ),
    path("contactos/<int:pk>/decidir/", contact_views.contact_decide, name="contact_decide"),
    path(
        "contactos/solicitud/<str:token>/",
        contact_views.contact_decision_link,
        name="contact_decision_link",
    ),
    path("valoraciones/caso/<int:pk>/", rating_views.rate, name="rate"),
    path(
        "valoraciones/recordatorio/ocultar/",
        rating_views.rating_reminder_dismiss,
        name="rating_reminder_dismiss",
    ),
    path("valoraciones/enlace/<str:token>/", rating_views.rate_link, name="rate_link"),
    # ---- /contacts ----
    path("notificaciones/", views.notifications, name="notifications"),  # notify
    # ---- cases ---- (the fixed words first: a case number contains slashes, C/2026/12)
    path("casos/", case_views.case_list, name="case_list"),
    path("casos/nuevo/", case_views.case_new, name="case_new"),
    path("casos/<path:number>/cancelar/", case_views.case_cancel, name="case_cancel"),
    path("casos/<path:number>/reabrir/", case_views.case_reopen, name="case_reopen"),
    path("casos/<path:number>/novedades/", case_views.case_updates, name="case_updates"),
    path("casos/<path:number>/", case_views.case_detail, name="case_detail"),
]
