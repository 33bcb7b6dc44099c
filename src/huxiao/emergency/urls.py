"""F-EMRG-1/2: a unit's plans and drills, as a page and in the API."""

from django.urls import path

from huxiao.emergency import api as emergency_api
from huxiao.emergency import views

routes = [
    ("plans", emergency_api.PlanViewSet, "plan"),
    ("drills", emergency_api.DrillViewSet, "drill"),
]
urlpatterns = [path("units/<int:pk>/emergency/", views.UnitEmergencyView.as_view(), name="unit-emergency")]
