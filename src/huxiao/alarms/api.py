"""F-TECH API (API.md): ``/api/v1/devices/``, ``/api/v1/device-events/`` (device token),
``/api/v1/alarms/`` (GET, POST), ``/api/v1/alarms/{id}/acknowledge/`` and the other response steps. The
live stream is ``alarms.stream``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import authentication, exceptions, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.alarms import services
from huxiao.alarms.models import Alarm, Device, DeviceEventType
from huxiao.core.api import (
    ScopedModelViewSet,
    StrictModelSerializer,
    StrictSerializer,
    VisiblePrimaryKeyField,
    actor,
)
from huxiao.core.idempotency import IdempotentCreateMixin, idempotent, run_idempotent
from huxiao.core.models import Unit


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


# --- F-TECH-1 devices, F-TECH-2 device events -----------------------------------------------------------

class DeviceSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    online = serializers.BooleanField(read_only=True)
    token = serializers.SerializerMethodField()

    class Meta:
        model = Device
        fields = ["id", "unit", "kind", "location", "label", "installed_on", "networked_on", "status",
                  "last_test_on", "heartbeat_seconds", "last_seen_at", "offline_since", "online", "token_prefix",
                  "token"]
        read_only_fields = ["id", "last_seen_at", "offline_since", "online", "token_prefix", "token"]
        create_only_fields = ["unit"]  # a device does not move to another unit

    def get_token(self, obj: Device) -> str | None:
        """The device's token is shown once, in the answer that made it: it goes into the device."""
        return getattr(obj, "fresh_token", None)


class DeviceViewSet(ScopedModelViewSet):
    """F-TECH-1. POST answers the device's token once (``token``); ``/token/`` issues a new one."""

    queryset = Device.objects.select_related("unit").order_by("unit_id", "location", "kind", "id")
    serializer_class = DeviceSerializer
    filterset_fields = ["unit", "kind", "location", "status"]

    def perform_create(self, serializer: Any) -> None:
        device, token = services.device_add(actor=actor(self.request), **serializer.validated_data)
        device.fresh_token = token  # type: ignore[attr-defined]
        serializer.instance = device

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.device_update(actor=actor(self.request), device=serializer.instance,
                                                     **serializer.validated_data)

    @extend_schema(request=None, responses=DeviceSerializer)
    @action(detail=True, methods=["post"])
    def token(self, request: Request, pk: str) -> Response:
        device = self.get_object()
        device.fresh_token = services.device_token_rotate(actor=actor(request), device=device)  # type: ignore[attr-defined]
        return Response(self.get_serializer(device).data)


class DeviceAuthentication(authentication.BaseAuthentication):
    """``Authorization: Device <token>`` (API.md): the request is the device's, not a person's."""

    keyword = "Device"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, Device] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"device":
            return None
        device = services.device_by_token(header[1].decode(errors="replace")) if len(header) == 2 else None
        if device is None:
            raise exceptions.AuthenticationFailed(_("Unknown or withdrawn device token."), code="invalid_device_token")
        return AnonymousUser(), device

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IsDevice(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, Device)


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
