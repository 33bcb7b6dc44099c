from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from huxiao.core import endpoints
from huxiao.core import views as core_views
from huxiao.core.auth import TokenView
from huxiao.core.forms import LoginForm
from huxiao.gate import api as gate_api
from huxiao.gate import views as gate_views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("units", endpoints.UnitViewSet, basename="unit")
router.register("organisations", endpoints.OrganisationViewSet, basename="organisation")
router.register("users", endpoints.UserViewSet, basename="user")
router.register("audit", endpoints.AuditViewSet, basename="audit")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", endpoints.MeView.as_view(), name="me"),
    path("units/<int:pk>/timetable/", gate_api.TimetableView.as_view(), name="unit-timetable"),
    *router.urls,
]

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("units/", core_views.UnitListView.as_view(), name="unit-list"),
    path("units/new/", core_views.UnitEditView.as_view(), name="unit-create"),
    path("units/<int:pk>/", core_views.UnitDetailView.as_view(), name="unit-detail"),
    path("units/<int:pk>/edit/", core_views.UnitEditView.as_view(), name="unit-edit"),
    path("units/<int:pk>/timetable/", gate_views.TimetableEditView.as_view(), name="unit-timetable"),
    path("audit/", core_views.AuditLogView.as_view(), name="audit-log"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
