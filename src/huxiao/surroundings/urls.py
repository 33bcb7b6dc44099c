"""F-SURR-1/2: premises near campuses, clean-up campaigns and records, traffic reports; the map."""

from typing import Any

from django.urls import path

from huxiao.surroundings import api as surroundings_api
from huxiao.surroundings import views

routes: list[tuple[str, Any, str]] = [
    ("premises", surroundings_api.PremisesViewSet, "premises"),
    ("cleanup-campaigns", surroundings_api.CampaignViewSet, "cleanup-campaign"),
    ("cleanup-records", surroundings_api.CleanupRecordViewSet, "cleanup-record"),
    ("traffic-reports", surroundings_api.TrafficReportViewSet, "traffic-report"),
]
urlpatterns: list[Any] = [
    path("surroundings/map/", views.SurroundingsMapView.as_view(), name="surroundings-map"),
    path("surroundings/premises/", views.PremisesListView.as_view(), name="surroundings-premises"),
    path("surroundings/premises/<int:pk>/", views.PremisesEditView.as_view(), name="premises-edit"),
    path("surroundings/traffic/", views.TrafficView.as_view(), name="surroundings-traffic"),
    path("units/<int:pk>/surroundings/", views.UnitSurroundingsView.as_view(), name="unit-surroundings"),
]
