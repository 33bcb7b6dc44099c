"""F-TECH API (API.md): ``/api/v1/device-events/`` (device token),
``/api/v1/alarms/`` (GET, POST), ``/api/v1/alarms/{id}/acknowledge/`` and the other response steps. The
live stream is ``alarms.stream``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.alarms import services
from huxiao.alarms.models import Alarm, DeviceEventType
from huxiao.core.api import (
    ScopedModelViewSet,
    StrictModelSerializer,
    StrictSerializer,
    VisiblePrimaryKeyField,
    actor,
)
from huxiao.core.idempotency import IdempotentCreateMixin, idempotent, run_idempotent
from huxiao.core.models import Unit
from huxiao.devices.api import DeviceAuthentication, IsDevice
from huxiao.devices.models import Device


class AlarmSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    step = serializers.CharField(read_only=True)
    next_step = serializers.CharField(read_only=True, allow_null=True,
                                      help_text="The only step that may be recorded now; null once closed.")
    response_seconds = serializers.DictField(read_only=True, child=serializers.IntegerField(allow_null=True))

    class Meta:
        model = Alarm
        fields = ["id", "unit", "unit_name", "kind", "note", "raised_at", "step", "next_step", "acknowledged_at",
                  "dispatched_at", "on_scene_at", "controlled_at", "closed_at", "escalated_at", "response_seconds",
                  "severity", "place", "description", "review", "reviewed_at"]
        read_only_fields = ["id", "raised_at", "acknowledged_at", "dispatched_at", "on_scene_at",
                            "controlled_at", "closed_at", "escalated_at", "response_seconds", "severity", "place",
                            "description", "review", "reviewed_at"]


class IncidentSerializer(StrictModelSerializer):
    class Meta:
        model = Alarm
        fields = ["severity", "place", "description", "review"]
        extra_kwargs = {name: {"required": False} for name in fields}


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

    @extend_schema(request=IncidentSerializer, responses=AlarmSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def incident(self, request: Request, pk: str) -> Response:
        """F-EMRG-3: describe the incident (severity, place, description); the after-action review once
        it is closed."""
        alarm = self.get_object()
        body = IncidentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.incident_describe(
            actor=actor(request), alarm=alarm, **body.validated_data)).data)

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


# --- F-TECH-2 device events -------------------------------------------------------------------------

class DeviceEventSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=DeviceEventType.choices)
    at = serializers.DateTimeField()


class DeviceEventView(APIView):
    """F-TECH-2: a device posts ``{"type": "heartbeat" | "alarm", "at"}``. An alarm opens an incident at
    once (201 with the alarm's id); a replayed event answers 409 ``replayed_event``."""

    authentication_classes = [DeviceAuthentication]
    permission_classes = [IsDevice]

    @extend_schema(request=DeviceEventSerializer, responses={201: inline_serializer("DeviceEventAccepted", {
        "id": serializers.IntegerField(), "type": serializers.CharField(),
        "alarm": serializers.IntegerField(allow_null=True)})})
    def post(self, request: Request) -> Response:
        body = DeviceEventSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        device = request.auth
        assert isinstance(device, Device)
        event = services.device_event(device=device, type_=body.validated_data["type"],
                                      at=body.validated_data["at"])
        return Response({"id": event.pk, "type": event.type, "alarm": event.alarm_id}, status=status.HTTP_201_CREATED)
