"""F-GATE-4 API: checkpoints, patrol rounds and scans, shifts, handovers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.core.api import (
    ColleagueField,
    ScopedModelViewSet,
    ScopedQuerysetMixin,
    StrictModelSerializer,
    StrictSerializer,
    VisiblePrimaryKeyField,
    actor,
)
from huxiao.core.idempotency import IdempotentCreateMixin, IdempotentPostMixin
from huxiao.core.models import Role, Unit, User
from huxiao.gate.models import Checkpoint, Handover, PatrolRound, Shift
from huxiao.gate.services import duty


class CheckpointSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)

    class Meta:
        model = Checkpoint
        fields = ["id", "unit", "name", "order", "active"]
        read_only_fields = ["id", "order", "active"]


class CheckpointViewSet(ScopedModelViewSet):
    queryset = Checkpoint.objects.filter(active=True).order_by("unit_id", "order")
    serializer_class = CheckpointSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["unit"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = duty.checkpoint_add(actor=actor(self.request), **serializer.validated_data)


class PatrolRoundSerializer(serializers.ModelSerializer[PatrolRound]):
    scans = serializers.SerializerMethodField()

    class Meta:
        model = PatrolRound
        fields = ["id", "unit", "guard", "day", "started_at", "finished_at", "status", "missed", "scans"]
        read_only_fields = fields

    def get_scans(self, obj: PatrolRound) -> list[dict[str, Any]]:
        return [{"checkpoint": s.checkpoint_id, "at": s.at, "in_order": s.in_order} for s in obj.scans.all()]


class PatrolRoundViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet[PatrolRound]):
    queryset = PatrolRound.objects.prefetch_related("scans").order_by("-started_at", "-id")
    serializer_class = PatrolRoundSerializer
    filterset_fields = {"unit": ["exact"], "status": ["exact"], "day": ["exact", "gte", "lte"]}


class ScanSerializer(StrictSerializer):
    token = serializers.CharField(max_length=64)


class PatrolScanView(IdempotentPostMixin, APIView):
    """A guard scans a checkpoint's code: the round opens on the first checkpoint, closes on the last."""

    @extend_schema(request=ScanSerializer, responses={201: PatrolRoundSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def _post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = ScanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        scan = duty.checkpoint_scan(actor=actor(request), token=body.validated_data["token"])
        patrol_round = PatrolRound.objects.prefetch_related("scans").get(pk=scan.round_id)
        return Response(PatrolRoundSerializer(patrol_round).data, status=status.HTTP_201_CREATED)


class ShiftSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    guard = VisiblePrimaryKeyField(User, limit={"role": "guard"})

    class Meta:
        model = Shift
        fields = ["id", "unit", "guard", "start", "end", "note"]
        read_only_fields = ["id"]


class ShiftViewSet(IdempotentCreateMixin, ScopedModelViewSet):
    queryset = Shift.objects.order_by("start", "id")
    serializer_class = ShiftSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"unit": ["exact"], "guard": ["exact"], "start": ["gte", "lte"]}

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = duty.shift_add(actor=actor(self.request), **serializer.validated_data)


class HandoverSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    to_guard = ColleagueField(roles={Role.GUARD})

    class Meta:
        model = Handover
        fields = ["id", "unit", "from_guard", "to_guard", "at", "equipment_ok", "notes"]
        read_only_fields = ["id", "from_guard", "at"]


class HandoverViewSet(IdempotentCreateMixin, ScopedModelViewSet):
    queryset = Handover.objects.order_by("-at", "-id")
    serializer_class = HandoverSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["unit"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = duty.handover_record(actor=actor(self.request), **serializer.validated_data)
