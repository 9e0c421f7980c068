from django.urls import path

from ventanilla.portal import case_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("adjuntos/<int:pk>/", views.attachment_download, name="attachment"),
    # ---- cases ---- (the fixed words first: a case number contains slashes, C/2026/12)
    path("casos/", case_views.case_list, name="case_list"),
    path("casos/nuevo/", case_views.case_new, name="case_new"),
    path("casos/<path:number>/cancelar/", case_views.case_cancel, name="case_cancel"),
    path("casos/<path:number>/reabrir/", case_views.case_reopen, name="case_reopen"),
    path("casos/<path:number>/novedades/", case_views.case_updates, name="case_updates"),
    path("casos/<path:number>/", case_views.case_detail, name="case_detail"),
]
