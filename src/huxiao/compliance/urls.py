"""F-COMP: the matrix, its evidence, export and parameters; the rules and parameters in the API."""

from django.urls import path

from huxiao.compliance import api as compliance_api
from huxiao.compliance import views

routes = [("compliance", compliance_api.ComplianceViewSet, "compliance")]
api = [
    path("compliance/rules/", compliance_api.RuleListView.as_view(), name="compliance-rules"),
    path("compliance/parameters/", compliance_api.ParametersView.as_view(), name="compliance-parameters"),
]
urlpatterns = [
    path("compliance/", views.MatrixView.as_view(), name="compliance-matrix"),
    path("compliance/export.xlsx", views.ExportView.as_view(), name="compliance-export"),
    path("compliance/parameters/", views.ParametersView.as_view(), name="compliance-parameters"),
    path("compliance/<int:pk>/<str:rule>/", views.EvidenceView.as_view(), name="compliance-evidence"),
]
