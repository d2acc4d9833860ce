from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("w/<slug:workspace_slug>/", views.workspace_home, name="workspace_home"),
    path("w/<slug:workspace_slug>/clients/", views.client_list, name="client_list"),
    path("w/<slug:workspace_slug>/clients/new/", views.client_create, name="client_create"),
    path(
        "w/<slug:workspace_slug>/clients/<int:client_id>/",
        views.client_detail,
        name="client_detail",
    ),
    path(
        "w/<slug:workspace_slug>/clients/<int:client_id>/edit/",
        views.client_edit,
        name="client_edit",
    ),
    path(
        "w/<slug:workspace_slug>/clients/<int:client_id>/archive/",
        views.client_archive,
        name="client_archive",
    ),
    path(
        "w/<slug:workspace_slug>/clients/<int:client_id>/restore/",
        views.client_restore,
        name="client_restore",
    ),
]
