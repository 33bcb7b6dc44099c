"""F-TECH-3 API (API.md): ``/api/v1/alarms/`` (GET, POST), ``/api/v1/alarms/{id}/acknowledge/`` and the
other response steps. The live stream is ``alarms.stream``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from huxiao.alarms import services
from huxiao.alarms.models import Alarm
from huxiao.core.api import ScopedModelViewSet, StrictModelSerializer, VisiblePrimaryKeyField, actor
from huxiao.core.idempotency import IdempotentCreateMixin, run_idempotent
from huxiao.core.models import Unit


class AlarmSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    step = serializers.CharField(read_only=True)

    class Meta:
        model = Alarm
        fields = ["id", "unit", "unit_name", "kind", "note", "raised_at", "step", "acknowledged_at",
                  "dispatched_at", "on_scene_at", "controlled_at", "closed_at", "escalated_at"]
        read_only_fields = ["id", "raised_at", "acknowledged_at", "dispatched_at", "on_scene_at",
                            "controlled_at", "closed_at", "escalated_at"]


class AlarmViewSet(IdempotentCreateMixin, ScopedModelViewSet):
    """POST raises an alarm (stored, then pushed to every console that may see it)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Alarm.objects.select_related("unit").order_by("-id")
    serializer_class = AlarmSerializer
    filterset_fields = {"unit": ["exact"], "kind": ["exact"], "id": ["gt"], "closed_at": ["isnull"]}

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.alarm_raise(actor=actor(self.request), **serializer.validated_data)

    def _step(self, request: Request, step: str) -> Response:
        alarm = self.get_object()
        return run_idempotent(self, request, lambda: Response(self.get_serializer(
            services.alarm_step(actor=actor(request), alarm=alarm, step=step)).data, status=status.HTTP_200_OK))

    @extend_schema(request=None, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        return self._step(request, "acknowledged")

    @extend_schema(request=None, responses=AlarmSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_force(self, request: Request, pk: str) -> Response:
        return self._step(request, "dispatched")

    @extend_schema(request=None, responses=AlarmSerializer)
    @action(detail=True, methods=["post"], url_path="on-scene")
    def on_scene(self, request: Request, pk: str) -> Response:
        return self._step(request, "on_scene")

    @extend_schema(request=None, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def controlled(self, request: Request, pk: str) -> Response:
        return self._step(request, "controlled")

    @extend_schema(request=None, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._step(request, "closed")
