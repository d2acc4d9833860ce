from django.urls import path

from funnel import views

app_name = "funnel"

W = "w/<slug:workspace_slug>/"
FUNNEL = W + "clients/<int:client_id>/funnel/"
FIGURES = FUNNEL + "<int:figures_id>/"
CRM = FUNNEL + "crm/"

urlpatterns = [
    path(FUNNEL, views.client_funnel, name="funnel"),
    path(FUNNEL + "new/", views.funnel_figures_create, name="figures_create"),
    path(FIGURES + "edit/", views.funnel_figures_edit, name="figures_edit"),
    path(FIGURES + "delete/", views.funnel_figures_delete, name="figures_delete"),
    path(FUNNEL + "import/", views.funnel_import, name="import"),
    path(CRM, views.crm_upload, name="crm_upload"),
    path(CRM + "<int:import_id>/", views.crm_status, name="crm_status"),
    path(CRM + "<int:import_id>/mapping/", views.crm_mapping, name="crm_mapping"),
    path(CRM + "<int:import_id>/leave-out/", views.crm_leave_out, name="crm_leave_out"),
    path(FUNNEL + "planner/", views.funnel_planner, name="planner"),
    path(W + "settings/funnel/", views.funnel_settings, name="settings"),
    path(W + "settings/funnel/reset/", views.funnel_settings_reset, name="settings_reset"),
]
