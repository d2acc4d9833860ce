from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    # Before Django's own, which it replaces: a new password also ends a login lockout.
    path(
        "accounts/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # Throttled per address too: one address may not try a password across many accounts.
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    # Throttled: each request may send an email to whatever address is typed.
    path(
        "accounts/password_reset/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("accounts.urls")),
    path("", include("clients.urls")),
    path("", include("funnel.urls")),
    path("", include("assessments.urls")),
    path("", include("workshops.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Relay administration"
admin.site.site_title = "Relay admin"
admin.site.index_title = "Question bank, workspaces and people"
# The changelists (questions especially) need the width more than a second navigation.
admin.site.enable_nav_sidebar = False
