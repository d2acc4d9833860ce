from django.urls import path

from clients import views

app_name = "clients"

W = "w/<slug:workspace_slug>/"
CLIENT = W + "clients/<int:client_id>/"

# A client's own page lives with its assessments (assessments:client_detail).
urlpatterns = [
    path(W + "clients/", views.client_list, name="list"),
    path(W + "clients/new/", views.client_create, name="create"),
    path(CLIENT + "edit/", views.client_edit, name="edit"),
    path(CLIENT + "archive/", views.client_archive, name="archive"),
    path(CLIENT + "restore/", views.client_restore, name="restore"),
]
