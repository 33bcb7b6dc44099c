"""F-BUS-1: a unit's school buses and a trip's screen, as pages and in the API."""

from django.urls import path

from huxiao.buses import api as buses_api
from huxiao.buses import views

routes = [
    ("buses", buses_api.BusViewSet, "bus"),
    ("bus-drivers", buses_api.DriverViewSet, "bus-driver"),
    ("bus-routes", buses_api.RouteViewSet, "bus-route"),
    ("bus-trips", buses_api.TripViewSet, "bus-trip"),
]
urlpatterns = [
    path("units/<int:pk>/buses/", views.UnitBusesView.as_view(), name="unit-buses"),
    path("bus-trips/<int:pk>/", views.TripScreenView.as_view(), name="bus-trip"),
]
