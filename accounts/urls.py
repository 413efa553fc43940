from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .mfa import views as mfa_views

app_name = "accounts"

urlpatterns = [
    path("login/", mfa_views.LoginView.as_view(), name="login"),
    path("2fa/authenticate/", mfa_views.mfa_authenticate, name="mfa_authenticate"),
    path("2fa/", mfa_views.mfa_enrol, name="mfa_enrol"),
    path("2fa/recovery-codes/", mfa_views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path(
        "2fa/recovery-codes/regenerate/",
        mfa_views.mfa_recovery_codes_regenerate,
        name="mfa_recovery_codes_regenerate",
    ),
    path("2fa/remove/", mfa_views.mfa_remove, name="mfa_remove"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("email/confirm/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("absences/", views.absences, name="absences"),
    path("absences/<int:pk>/edit/", views.absence_edit, name="absence_edit"),
    path("absences/<int:pk>/cancel/", views.absence_cancel, name="absence_cancel"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
