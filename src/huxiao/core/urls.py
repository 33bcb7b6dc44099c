"""The core's routes: sign-in (and its second factor), language, units, users, the audit log, the API's own
endpoints and docs."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from huxiao.core import endpoints, views
from huxiao.core.auth import TokenView

routes = [
    ("units", endpoints.UnitViewSet, "unit"),
    ("organisations", endpoints.OrganisationViewSet, "organisation"),
    ("users", endpoints.UserViewSet, "user"),
    ("audit", endpoints.AuditViewSet, "audit"),
]
api = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", endpoints.MeView.as_view(), name="me"),
]
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/otp/", views.SecondFactorView.as_view(), name="login-otp"),
    path("login/otp/enrol/", views.SecondFactorEnrolView.as_view(), name="login-otp-enrol"),
    path("login/otp/recovery-codes/", views.RecoveryCodesView.as_view(), name="login-otp-recovery"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),  # before Django's, which it wraps
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("units/", views.UnitListView.as_view(), name="unit-list"),
    path("units/new/", views.UnitEditView.as_view(), name="unit-create"),
    path("units/<int:pk>/edit/", views.UnitEditView.as_view(), name="unit-edit"),
    path("audit/", views.AuditLogView.as_view(), name="audit-log"),
    path("api/schema/", endpoints.SchemaView.as_view(), name="api-schema"),
    path("api/docs/", endpoints.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
