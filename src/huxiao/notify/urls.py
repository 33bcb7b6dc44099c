"""F-NOTIFY: the notifications page, its live strip, and the API."""

from django.urls import path

from huxiao.notify import api as notify_api
from huxiao.notify import views

routes = [("notifications", notify_api.NotificationViewSet, "notification")]
urlpatterns = [
    path("notifications/", views.NotificationsView.as_view(), name="notifications"),
    path("notifications/live/", views.LiveView.as_view(), name="notifications-live"),
]
