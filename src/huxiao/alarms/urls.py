"""F-TECH-2/3: the console and its panel; alarms, their live stream and device events in the API."""

from django.urls import path

from huxiao.alarms import api as alarms_api
from huxiao.alarms import stream, views

routes = [("alarms", alarms_api.AlarmViewSet, "alarm")]
api = [
    # Before the router's alarms/<pk>/: a live stream of server-sent events.
    path("alarms/stream/", stream.alarm_stream, name="alarm-stream"),
    path("device-events/", alarms_api.DeviceEventView.as_view(), name="device-events"),
]
urlpatterns = [
    path("alarms/", views.ConsoleView.as_view(), name="alarm-console"),
    path("alarms/<int:pk>/panel/", views.PanelView.as_view(), name="alarm-panel"),
    path("alarms/<int:pk>/incident/", views.IncidentView.as_view(), name="alarm-incident"),
    path("alarms/<int:pk>/<str:step>/", views.StepView.as_view(), name="alarm-step"),
]
