"""F-RISK-1/2: the high-risk ledger and the disputes, as pages and in the API."""

from django.urls import path

from huxiao.risk import api as risk_api
from huxiao.risk import views

routes = [
    ("risk-persons", risk_api.RiskPersonViewSet, "risk-person"),
    ("disputes", risk_api.DisputeViewSet, "dispute"),
]
urlpatterns = [
    path("risk/", views.LedgerView.as_view(), name="risk-ledger"),
    path("risk/<int:pk>/", views.PersonView.as_view(), name="risk-person"),
    path("risk/<int:pk>/reveal/", views.RevealView.as_view(), name="risk-reveal"),
    path("risk/disputes/", views.DisputesView.as_view(), name="risk-disputes"),
    path("risk/disputes/<int:pk>/", views.DisputeView.as_view(), name="risk-dispute"),
    path("units/<int:pk>/risk/", views.UnitLedgerView.as_view(), name="risk-unit"),
]
