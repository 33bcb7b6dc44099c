"""F-DASH: the home page and a unit's page."""

from django.urls import path

from huxiao.dashboard import views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit-detail"),
]
