"""F-FORCE: the security force's pages and API."""

from django.urls import path

from huxiao.force import api as force_api
from huxiao.force import views
from huxiao.force.forms import ACTIONS

routes = [
    ("police-assignments", force_api.PoliceAssignmentViewSet, "police-assignment"),
    ("legal-vice-principals", force_api.LegalVicePrincipalViewSet, "legal-vice-principal"),
    ("lectures", force_api.LectureViewSet, "lecture"),
    ("guards", force_api.GuardViewSet, "guard"),
    ("equipment", force_api.EquipmentViewSet, "equipment"),
    ("staff-members", force_api.StaffMemberViewSet, "staff-member"),
    ("escort-duties", force_api.EscortDutyViewSet, "escort-duty"),
    ("patrol-teams", force_api.PatrolTeamViewSet, "patrol-team"),
    ("patrol-assignments", force_api.PatrolAssignmentViewSet, "patrol-assignment"),
    ("police-rooms", force_api.PoliceRoomViewSet, "police-room"),
    ("checkin-points", force_api.CheckInPointViewSet, "checkin-point"),
    ("check-ins", force_api.CheckInViewSet, "check-in"),
]
api = [path("visibility/", force_api.VisibilityView.as_view(), name="visibility")]
urlpatterns = [
    path("units/<int:pk>/force/", views.UnitForceView.as_view(), name="unit-force"),
    *[path(f"units/<int:pk>/force/{action}/", views.ForceActionView.as_view(action=action), name=f"force-{action}")
      for action in ACTIONS],
    path("units/<int:pk>/force/check-in/", views.TapCheckInView.as_view(), name="force-tap"),
    path("units/<int:pk>/gate-codes/", views.CheckInCodesView.as_view(), name="checkin-codes"),
    path("guards/<int:pk>/edit/", views.GuardEditView.as_view(), name="guard-edit"),
    path("checkin/<str:token>/", views.QrCheckInView.as_view(), name="checkin"),
    path("gate/check-in/", views.GateCheckInView.as_view(), name="gate-checkin"),
    path("force/visibility/", views.VisibilityPageView.as_view(), name="force-visibility"),
    path("force/patrols/", views.PatrolTeamsView.as_view(), name="patrol-teams"),
]
