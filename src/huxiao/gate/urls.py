"""F-GATE: the gate screens, and the visits, pick-ups and guard duty in the API."""

from django.urls import path

from huxiao.gate import screens
from huxiao.gate.api import duty as duty_api
from huxiao.gate.api import pickup as pickup_api

routes = [
    ("visits", pickup_api.VisitViewSet, "visit"),
    ("block-list", pickup_api.BlockListViewSet, "block-list"),
    ("classes", pickup_api.SchoolClassViewSet, "class"),
    ("children", pickup_api.ChildViewSet, "child"),
    ("pickup-persons", pickup_api.PickupPersonViewSet, "pickup-person"),
    ("delegations", pickup_api.DelegationViewSet, "delegation"),
    ("checkpoints", duty_api.CheckpointViewSet, "checkpoint"),
    ("patrol-rounds", duty_api.PatrolRoundViewSet, "patrol-round"),
    ("shifts", duty_api.ShiftViewSet, "shift"),
    ("handovers", duty_api.HandoverViewSet, "handover"),
]
api = [
    path("pickups/", pickup_api.PickupView.as_view(), name="pickups"),
    path("patrol-scans/", duty_api.PatrolScanView.as_view(), name="patrol-scans"),
]
urlpatterns = [
    path("gate/", screens.GateHomeView.as_view(), name="gate-home"),
    path("gate/pickup/", screens.PickupScreenView.as_view(), name="gate-pickup"),
    path("gate/pickup/lookup/", screens.PickupLookupView.as_view(), name="gate-pickup-lookup"),
    path("gate/pickup/release/", screens.PickupReleaseView.as_view(), name="gate-pickup-release"),
    path("gate/board/", screens.BoardView.as_view(), name="gate-board"),
    path("gate/children/", screens.ChildrenView.as_view(), name="gate-children"),
    path("gate/patrol/", screens.PatrolScreenView.as_view(), name="gate-patrol"),
    path("units/<int:pk>/patrol/", screens.UnitPatrolView.as_view(), name="gate-patrol-report"),
    path("gate/persons/<int:pk>/card/", screens.CardView.as_view(), name="gate-card"),
    path("gate/visitors/", screens.VisitorScreenView.as_view(), name="gate-visitors"),
    path("gate/visits/<int:pk>/checkout/", screens.VisitCheckoutView.as_view(), name="gate-visit-checkout"),
    path("visits/<int:pk>/answer/", screens.VisitAnswerView.as_view(), name="visit-answer"),
    path("units/<int:pk>/pickups/", screens.UnitPickupsView.as_view(), name="gate-pickups"),
    path("units/<int:pk>/visits/", screens.UnitVisitsView.as_view(), name="gate-visits"),
]
