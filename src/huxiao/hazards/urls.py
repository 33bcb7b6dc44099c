"""F-PREV-2: hazards, as pages and in the API."""

from django.urls import path

from huxiao.hazards import api as hazards_api
from huxiao.hazards import views

routes = [("hazards", hazards_api.HazardViewSet, "hazard")]
urlpatterns = [
    path("hazards/", views.HazardListView.as_view(), name="hazard-list"),
    path("hazards/<int:pk>/", views.HazardDetailView.as_view(), name="hazard-detail"),
    path("hazards/<int:pk>/photos/<int:event>/", views.HazardPhotoView.as_view(), name="hazard-photo"),
    path("units/<int:pk>/hazards/", views.HazardListView.as_view(), name="unit-hazards"),
]
