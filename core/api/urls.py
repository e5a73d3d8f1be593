from django.urls import path

from core.api import audit_views, views

urlpatterns = [
    path("auth/csrf/", views.CsrfApi.as_view(), name="auth-csrf"),
    path("auth/login/", views.LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", views.LogoutApi.as_view(), name="auth-logout"),
    path("auth/me/", views.MeApi.as_view(), name="auth-me"),
    path("auth/token/", views.ApiTokenApi.as_view(), name="auth-token"),
    path("auth/invitations/accept/", views.InvitationAcceptApi.as_view(), name="invitation-accept"),
    path("users/", views.UserListCreateApi.as_view(), name="users"),
    path("audit/", audit_views.AuditEventListApi.as_view(), name="audit"),
    path("audit/<int:event_id>/", audit_views.AuditEventDetailApi.as_view(), name="audit-detail"),
]
