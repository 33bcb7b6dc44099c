from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from huxiao.alarms import api as alarms_api
from huxiao.alarms import stream as alarms_stream
from huxiao.alarms import views as alarms_views
from huxiao.compliance import api as compliance_api
from huxiao.compliance import views as compliance_views
from huxiao.core import endpoints
from huxiao.core import views as core_views
from huxiao.core.auth import TokenView
from huxiao.core.forms import LoginForm
from huxiao.emergency import api as emergency_api
from huxiao.emergency import views as emergency_views
from huxiao.force import api as force_api
from huxiao.force import views as force_views
from huxiao.force.forms import ACTIONS as FORCE_ACTIONS
from huxiao.gate import api as gate_api
from huxiao.gate import duty_api, pickup_api
from huxiao.gate import screens as gate_screens
from huxiao.gate import views as gate_views
from huxiao.notify import api as notify_api
from huxiao.notify import views as notify_views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("units", endpoints.UnitViewSet, basename="unit")
router.register("organisations", endpoints.OrganisationViewSet, basename="organisation")
router.register("users", endpoints.UserViewSet, basename="user")
router.register("audit", endpoints.AuditViewSet, basename="audit")
router.register("police-assignments", force_api.PoliceAssignmentViewSet, basename="police-assignment")
router.register("legal-vice-principals", force_api.LegalVicePrincipalViewSet, basename="legal-vice-principal")
router.register("lectures", force_api.LectureViewSet, basename="lecture")
router.register("guards", force_api.GuardViewSet, basename="guard")
router.register("equipment", force_api.EquipmentViewSet, basename="equipment")
router.register("staff-members", force_api.StaffMemberViewSet, basename="staff-member")
router.register("escort-duties", force_api.EscortDutyViewSet, basename="escort-duty")
router.register("patrol-teams", force_api.PatrolTeamViewSet, basename="patrol-team")
router.register("patrol-assignments", force_api.PatrolAssignmentViewSet, basename="patrol-assignment")
router.register("police-rooms", force_api.PoliceRoomViewSet, basename="police-room")
router.register("checkin-points", force_api.CheckInPointViewSet, basename="checkin-point")
router.register("check-ins", force_api.CheckInViewSet, basename="check-in")
router.register("compliance", compliance_api.ComplianceViewSet, basename="compliance")
router.register("visits", pickup_api.VisitViewSet, basename="visit")
router.register("block-list", pickup_api.BlockListViewSet, basename="block-list")
router.register("classes", pickup_api.SchoolClassViewSet, basename="class")
router.register("children", pickup_api.ChildViewSet, basename="child")
router.register("pickup-persons", pickup_api.PickupPersonViewSet, basename="pickup-person")
router.register("delegations", pickup_api.DelegationViewSet, basename="delegation")
router.register("notifications", notify_api.NotificationViewSet, basename="notification")
router.register("alarms", alarms_api.AlarmViewSet, basename="alarm")
router.register("devices", alarms_api.DeviceViewSet, basename="device")
router.register("plans", emergency_api.PlanViewSet, basename="plan")
router.register("drills", emergency_api.DrillViewSet, basename="drill")
router.register("checkpoints", duty_api.CheckpointViewSet, basename="checkpoint")
router.register("patrol-rounds", duty_api.PatrolRoundViewSet, basename="patrol-round")
router.register("shifts", duty_api.ShiftViewSet, basename="shift")
router.register("handovers", duty_api.HandoverViewSet, basename="handover")

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", endpoints.MeView.as_view(), name="me"),
    path("units/<int:pk>/timetable/", gate_api.TimetableView.as_view(), name="unit-timetable"),
    path("visibility/", force_api.VisibilityView.as_view(), name="visibility"),
    path("pickups/", pickup_api.PickupView.as_view(), name="pickups"),
    # Before the router's alarms/<pk>/: a live stream of server-sent events.
    path("alarms/stream/", alarms_stream.alarm_stream, name="alarm-stream"),
    path("device-events/", alarms_api.DeviceEventView.as_view(), name="device-events"),
    path("patrol-scans/", duty_api.PatrolScanView.as_view(), name="patrol-scans"),
    path("compliance/rules/", compliance_api.RuleListView.as_view(), name="compliance-rules"),
    path("compliance/parameters/", compliance_api.ParametersView.as_view(), name="compliance-parameters"),
    *router.urls,
]

urlpatterns = [
    # First: the API is what devices and gate tablets call many times a second; a request is matched
    # against the patterns in order.
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("", core_views.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),  # before Django's, which it wraps
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("units/", core_views.UnitListView.as_view(), name="unit-list"),
    path("alarms/", alarms_views.ConsoleView.as_view(), name="alarm-console"),
    path("units/<int:pk>/emergency/", emergency_views.UnitEmergencyView.as_view(), name="unit-emergency"),
    path("alarms/<int:pk>/panel/", alarms_views.PanelView.as_view(), name="alarm-panel"),
    path("alarms/<int:pk>/incident/", alarms_views.IncidentView.as_view(), name="alarm-incident"),
    path("alarms/<int:pk>/<str:step>/", alarms_views.StepView.as_view(), name="alarm-step"),
    path("units/new/", core_views.UnitEditView.as_view(), name="unit-create"),
    path("units/<int:pk>/", core_views.UnitDetailView.as_view(), name="unit-detail"),
    path("units/<int:pk>/edit/", core_views.UnitEditView.as_view(), name="unit-edit"),
    path("units/<int:pk>/timetable/", gate_views.TimetableEditView.as_view(), name="unit-timetable"),
    path("units/<int:pk>/force/", force_views.UnitForceView.as_view(), name="unit-force"),
    *[path(f"units/<int:pk>/force/{action}/", force_views.ForceActionView.as_view(action=action),
           name=f"force-{action}") for action in FORCE_ACTIONS],
    path("units/<int:pk>/force/check-in/", force_views.TapCheckInView.as_view(), name="force-tap"),
    path("units/<int:pk>/gate-codes/", force_views.CheckInCodesView.as_view(), name="checkin-codes"),
    path("guards/<int:pk>/edit/", force_views.GuardEditView.as_view(), name="guard-edit"),
    path("checkin/<str:token>/", force_views.QrCheckInView.as_view(), name="checkin"),
    path("force/visibility/", force_views.VisibilityPageView.as_view(), name="force-visibility"),
    path("force/patrols/", force_views.PatrolTeamsView.as_view(), name="patrol-teams"),
    path("compliance/", compliance_views.MatrixView.as_view(), name="compliance-matrix"),
    path("compliance/export.xlsx", compliance_views.ExportView.as_view(), name="compliance-export"),
    path("compliance/parameters/", compliance_views.ParametersView.as_view(), name="compliance-parameters"),
    path("compliance/<int:pk>/<str:rule>/", compliance_views.EvidenceView.as_view(), name="compliance-evidence"),
    path("gate/", gate_screens.GateHomeView.as_view(), name="gate-home"),
    path("gate/check-in/", gate_screens.GateCheckInView.as_view(), name="gate-checkin"),
    path("gate/pickup/", gate_screens.PickupScreenView.as_view(), name="gate-pickup"),
    path("gate/pickup/lookup/", gate_screens.PickupLookupView.as_view(), name="gate-pickup-lookup"),
    path("gate/pickup/release/", gate_screens.PickupReleaseView.as_view(), name="gate-pickup-release"),
    path("gate/board/", gate_screens.BoardView.as_view(), name="gate-board"),
    path("gate/children/", gate_screens.ChildrenView.as_view(), name="gate-children"),
    path("gate/patrol/", gate_screens.PatrolScreenView.as_view(), name="gate-patrol"),
    path("units/<int:pk>/patrol/", gate_screens.UnitPatrolView.as_view(), name="gate-patrol-report"),
    path("gate/persons/<int:pk>/card/", gate_screens.CardView.as_view(), name="gate-card"),
    path("gate/visitors/", gate_screens.VisitorScreenView.as_view(), name="gate-visitors"),
    path("gate/visits/<int:pk>/checkout/", gate_screens.VisitCheckoutView.as_view(), name="gate-visit-checkout"),
    path("visits/<int:pk>/answer/", gate_screens.VisitAnswerView.as_view(), name="visit-answer"),
    path("units/<int:pk>/pickups/", gate_screens.UnitPickupsView.as_view(), name="gate-pickups"),
    path("units/<int:pk>/visits/", gate_screens.UnitVisitsView.as_view(), name="gate-visits"),
    path("notifications/", notify_views.NotificationsView.as_view(), name="notifications"),
    path("notifications/live/", notify_views.LiveView.as_view(), name="notifications-live"),
    path("audit/", core_views.AuditLogView.as_view(), name="audit-log"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", endpoints.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "huxiao.core.middleware.page_not_found"
