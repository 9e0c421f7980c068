from django.urls import path

from ventanilla.console import (
    canned_views,
    case_views,
    customer_views,
    phone_views,
    queue_views,
    sla_edit_views,
    sla_views,
    views,
)

app_name = "console"
urlpatterns = [
    path("", views.home, name="home"),
    path("adjuntos/<int:pk>/", views.attachment_download, name="attachment"),
    path("sla/cumplimiento/", sla_views.sla_report, name="sla_report"),  # sla branch
    path("correo/cuarentena/", views.quarantine, name="quarantine"),
    # ---- console (issue 4) ----
    path("colas/sin-cualificar/", queue_views.queue, {"queue": "untriaged"}, name="untriaged"),
    path("colas/mis-casos/", queue_views.queue, {"queue": "mine"}, name="mine"),
    path("colas/mi-equipo/", queue_views.queue, {"queue": "team"}, name="team"),
    path("colas/esperando-cliente/", queue_views.queue, {"queue": "waiting"}, name="waiting"),
    path("colas/planificados/", queue_views.queue, {"queue": "scheduled"}, name="scheduled"),
    path("colas/escalados/", queue_views.queue, {"queue": "escalated"}, name="escalated"),
    path("colas/todos/", queue_views.queue, {"queue": "all"}, name="all"),
    path(  # slaui
        "colas/vencimientos/", queue_views.queue, {"queue": "breaching"}, name="breaching"
    ),
    path("colas/acciones/", queue_views.bulk, name="bulk"),
    path("colas/vistas/", queue_views.saved_view_save, name="saved_view_save"),
    path(
        "colas/vistas/<int:pk>/borrar/",
        queue_views.saved_view_delete,
        name="saved_view_delete",
    ),
    path("avisos/", views.notifications, name="notifications"),  # notify
    path("telefono/", phone_views.phone, name="phone"),
    path("clientes/<int:pk>/", customer_views.organization, name="organization"),
    path("contactos/<int:pk>/", customer_views.contact, name="contact"),
    path("respuestas/", canned_views.canned_list, name="canned_list"),
    path("respuestas/<int:pk>/", canned_views.canned_edit, name="canned_edit"),
    # Case numbers contain slashes (C/2026/12): the suffixed routes come before the detail.
    path("casos/<path:number>/presencia/", case_views.case_presence_view, name="case_presence"),
    path("casos/<path:number>/accion/<slug:name>/", case_views.case_action, name="case_action"),
    path("casos/<path:number>/", case_views.case_detail, name="case_detail"),
]
# ---- slaedit ---- supervisors see and edit SLA policies and automations
urlpatterns += [
    path("sla/politicas/", sla_edit_views.sla_policies, name="sla_policies"),
    path("sla/politicas/nueva/", sla_edit_views.sla_policy_new, name="sla_policy_new"),
    path("sla/politicas/<int:pk>/", sla_edit_views.sla_policy_edit, name="sla_policy_edit"),
    path("sla/automatizaciones/", sla_edit_views.sla_automations, name="sla_automations"),
    path(
        "sla/automatizaciones/<int:pk>/",
        sla_edit_views.sla_automation_edit,
        name="sla_automation_edit",
    ),
]
