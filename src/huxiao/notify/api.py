"""F-NOTIFY API: one's own notifications; mark them read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from huxiao.core.api import ScopedQuerysetMixin, actor
from huxiao.notify import services
from huxiao.notify.models import Notification


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    title = serializers.CharField(source="display_title", read_only=True)
    body = serializers.CharField(source="display_body", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "level", "title", "body", "url", "unit", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Notification]):
    queryset = Notification.objects.order_by("-created_at", "-id")
    serializer_class = NotificationSerializer
    filterset_fields = ["level", "kind"]

    @extend_schema(request=inline_serializer("MarkRead", {"ids": serializers.ListField(
        child=serializers.IntegerField(), required=False)}), responses=inline_serializer(
        "Marked", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"])
    def read(self, request: Request) -> Response:
        ids = request.data.get("ids") if isinstance(request.data, dict) else None
        if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, int) for i in ids)):
            raise serializers.ValidationError({"ids": ["A list of notification ids."]})
        return Response({"marked": services.mark_read(user=actor(request), ids=ids)})
