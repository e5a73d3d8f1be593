from django.urls import path

from core.api import audit_views, auth_views, user_views

urlpatterns = [
    path("auth/csrf/", auth_views.CsrfApi.as_view(), name="auth-csrf"),
    path("auth/login/", auth_views.LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", auth_views.LogoutApi.as_view(), name="auth-logout"),
    path("auth/me/", auth_views.MeApi.as_view(), name="auth-me"),
    path("auth/token/", auth_views.ApiTokenApi.as_view(), name="auth-token"),
    path(
        "auth/invitations/accept/",
        auth_views.InvitationAcceptApi.as_view(),
        name="invitation-accept",
    ),
    path("users/", user_views.UserListCreateApi.as_view(), name="users"),
    path("audit/", audit_views.AuditEventListApi.as_view(), name="audit"),
    path("audit/export/", audit_views.AuditExportApi.as_view(), name="audit-export"),
    path("audit/<int:event_id>/", audit_views.AuditEventDetailApi.as_view(), name="audit-detail"),
]
