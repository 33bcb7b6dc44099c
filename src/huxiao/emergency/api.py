"""F-EMRG API: ``/api/v1/plans/`` (GET, POST: the next version of a unit's plan of a type) and
``/api/v1/drills/`` (GET, POST)."""

from __future__ import annotations

from typing import Any

from huxiao.core.api import ScopedModelViewSet, StrictModelSerializer, VisiblePrimaryKeyField, actor
from huxiao.core.models import Unit
from huxiao.emergency import services
from huxiao.emergency.models import Drill, Plan


class PlanSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)

    class Meta:
        model = Plan
        fields = ["id", "unit", "type", "version", "title", "body", "response_force", "approved_on", "created_at"]
        read_only_fields = ["id", "version", "created_at"]


class PlanViewSet(ScopedModelViewSet):
    """Plans are versioned: a POST makes the next version; earlier versions stay as they were."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Plan.objects.order_by("unit_id", "type", "-version")
    serializer_class = PlanSerializer
    filterset_fields = ["unit", "type"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.plan_add(actor=actor(self.request), **serializer.validated_data)


class DrillSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)

    class Meta:
        model = Drill
        fields = ["id", "unit", "scenario", "date", "participants", "duration_minutes", "evaluation", "issues_found"]
        read_only_fields = ["id"]


class DrillViewSet(ScopedModelViewSet):
    http_method_names = ["get", "post", "head", "options"]
    queryset = Drill.objects.order_by("unit_id", "-date", "-id")
    serializer_class = DrillSerializer
    filterset_fields = {"unit": ["exact"], "scenario": ["exact"], "date": ["gte", "lte"]}

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.drill_record(actor=actor(self.request), **serializer.validated_data)
