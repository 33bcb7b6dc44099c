"""F-TECH-1 API (API.md): ``/api/v1/devices/``, and ``Authorization: Device <token>``, with which a device
posts its events (``alarms.api.DeviceEventView``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, exceptions, permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from huxiao.core.api import ScopedModelViewSet, StrictModelSerializer, VisiblePrimaryKeyField, actor
from huxiao.core.models import Unit
from huxiao.devices import services
from huxiao.devices.models import Device


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
        device.fresh_token = services.device_token_rotate(actor=actor(request), device=device)
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
