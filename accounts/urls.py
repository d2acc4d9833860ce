from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/sent/", views.signup_sent, name="signup_sent"),
    path("accounts/signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("workspaces/new/", views.workspace_create, name="workspace_create"),
    path("invitations/<str:token>/", views.invitation_detail, name="invitation"),
    path("invitations/<str:token>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/signup/", views.invitation_signup, name="invitation_signup"),
    path("w/<slug:workspace_slug>/settings/", views.workspace_settings, name="workspace_settings"),
    path("w/<slug:workspace_slug>/logo/", views.workspace_logo, name="workspace_logo"),
    path("w/<slug:workspace_slug>/members/", views.member_list, name="member_list"),
    path("w/<slug:workspace_slug>/members/invite/", views.member_invite, name="member_invite"),
    path(
        "w/<slug:workspace_slug>/members/<int:membership_id>/role/",
        views.member_change_role,
        name="member_change_role",
    ),
    path(
        "w/<slug:workspace_slug>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "w/<slug:workspace_slug>/invitations/<int:invitation_id>/renew/",
        views.invitation_renew,
        name="invitation_renew",
    ),
    path(
        "w/<slug:workspace_slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
]
