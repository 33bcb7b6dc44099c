"""F-GATE-3: a unit's timetable, as a page and in the API."""

from django.urls import path

from huxiao.timetable import api as timetable_api
from huxiao.timetable import views

api = [path("units/<int:pk>/timetable/", timetable_api.TimetableView.as_view(), name="unit-timetable")]
urlpatterns = [path("units/<int:pk>/timetable/", views.TimetableEditView.as_view(), name="unit-timetable")]
