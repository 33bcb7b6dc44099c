"""F-PREV-1: inspections, as pages and in the API."""

from django.urls import path

from huxiao.inspections import api as inspections_api
from huxiao.inspections import views

routes = [
    ("inspection-checklists", inspections_api.TemplateViewSet, "inspection-checklist"),
    ("inspection-schedules", inspections_api.ScheduleViewSet, "inspection-schedule"),
    ("inspections", inspections_api.InspectionViewSet, "inspection"),
]
urlpatterns = [
    path("inspections/", views.InspectionListView.as_view(), name="inspection-list"),
    path("inspections/<int:pk>/", views.InspectionDetailView.as_view(), name="inspection-detail"),
    path("inspections/<int:pk>/photos/<int:result>/", views.ResultPhotoView.as_view(), name="inspection-photo"),
    path("inspections/checklists/<int:pk>/", views.ChecklistEditView.as_view(), name="inspection-checklist"),
    path("units/<int:pk>/inspections/", views.UnitInspectionsView.as_view(), name="inspection-unit"),
    path("units/<int:pk>/inspections/new/", views.InspectionNewView.as_view(), name="inspection-new"),
]
