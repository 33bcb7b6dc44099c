"""F-FORCE API (API.md: guards, equipment, police assignments; the rest in the same style)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.core.api import ScopedModelViewSet, actor
from huxiao.core.idempotency import IdempotentCreateMixin
from huxiao.core.models import Unit
from huxiao.force import selectors, services
from huxiao.force.models import (
    CheckIn,
    CheckInMethod,
    CheckInPoint,
    Equipment,
    EscortDuty,
    Guard,
    Lecture,
    LegalVicePrincipal,
    PatrolAssignment,
    PatrolTeam,
    PoliceAssignment,
    PoliceRoom,
    StaffMember,
)
from huxiao.force.serializers import (
    CheckInPointSerializer,
    CheckInSerializer,
    EndSerializer,
    EquipmentSerializer,
    EscortDutySerializer,
    GuardSerializer,
    LectureSerializer,
    LegalVicePrincipalSerializer,
    PatrolAssignmentSerializer,
    PatrolTeamSerializer,
    PoliceAssignmentSerializer,
    PoliceRoomSerializer,
    StaffMemberSerializer,
)


class CreateOnlyViewSet(ScopedModelViewSet):
    """List, retrieve and create: history is added to, never edited."""

    http_method_names = ["get", "post", "head", "options"]


class DeletableViewSet(mixins.DestroyModelMixin, ScopedModelViewSet):
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class PoliceAssignmentViewSet(CreateOnlyViewSet):
    """F-FORCE-1 一校一警: a POST makes the officer the unit's duty officer and ends the previous one."""

    queryset = PoliceAssignment.objects.select_related("unit").order_by("unit__code", "-start_date", "-id")
    serializer_class = PoliceAssignmentSerializer
    filterset_fields = ["unit", "badge_no", "end_date"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.police_assign(actor=actor(self.request), **serializer.validated_data)

    @extend_schema(request=EndSerializer, responses=PoliceAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        assignment = self.get_object()
        body = EndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assignment = services.police_assignment_end(actor=actor(request), assignment=assignment,
                                                    end_date=body.validated_data["end_date"])
        return Response(self.get_serializer(assignment).data)


class LegalVicePrincipalViewSet(CreateOnlyViewSet):
    """F-FORCE-3: a POST appoints (and ends the previous appointment)."""

    queryset = LegalVicePrincipal.objects.select_related("unit").order_by("unit__code", "-start_date", "-id")
    serializer_class = LegalVicePrincipalSerializer
    filterset_fields = ["unit"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.lvp_appoint(actor=actor(self.request), **serializer.validated_data)


class LectureViewSet(CreateOnlyViewSet):
    queryset = Lecture.objects.order_by("-date", "-id")
    serializer_class = LectureSerializer
    filterset_fields = {"unit": ["exact"], "topic": ["exact"], "date": ["gte", "lte"]}

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.lecture_record(actor=actor(self.request), **serializer.validated_data)


class GuardViewSet(DeletableViewSet):
    """F-FORCE-4: gate guards. ``id_number`` is write-only; responses carry ``id_number_masked``."""

    queryset = Guard.objects.select_related("unit").order_by("unit__code", "name", "id")
    serializer_class = GuardSerializer
    filterset_fields = ["unit", "active"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.guard_create(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.guard_update(actor=actor(self.request), guard=serializer.instance,
                                                    **serializer.validated_data)

    def perform_destroy(self, instance: Guard) -> None:
        services.guard_delete(actor=actor(self.request), guard=instance)


class EquipmentViewSet(DeletableViewSet):
    queryset = Equipment.objects.order_by("unit_id", "kind", "id")
    serializer_class = EquipmentSerializer
    filterset_fields = ["unit", "kind"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.equipment_add(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.equipment_update(actor=actor(self.request), item=serializer.instance,
                                                        **serializer.validated_data)

    def perform_destroy(self, instance: Equipment) -> None:
        services.equipment_delete(actor=actor(self.request), item=instance)


class StaffMemberViewSet(ScopedModelViewSet):
    """F-FORCE-5: the staff security team."""

    queryset = StaffMember.objects.order_by("unit_id", "name", "id")
    serializer_class = StaffMemberSerializer
    filterset_fields = ["unit", "active"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.staff_member_add(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.staff_member_update(actor=actor(self.request), member=serializer.instance,
                                                           **serializer.validated_data)


class EscortDutyViewSet(CreateOnlyViewSet):
    """F-FORCE-5: the escort rota (护接护送)."""

    queryset = EscortDuty.objects.select_related("window").order_by("unit_id", "window__start", "id")
    serializer_class = EscortDutySerializer
    filterset_fields = ["unit", "member"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.escort_duty_add(actor=actor(self.request), **serializer.validated_data)


class PatrolTeamViewSet(CreateOnlyViewSet):
    """F-FORCE-6: the communities' patrol teams (夕阳红)."""

    queryset = PatrolTeam.objects.order_by("community_id", "name")
    serializer_class = PatrolTeamSerializer
    filterset_fields = ["community"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.patrol_team_add(actor=actor(self.request), **serializer.validated_data)


class PatrolAssignmentViewSet(CreateOnlyViewSet):
    queryset = PatrolAssignment.objects.select_related("window").order_by("unit_id", "window__start", "id")
    serializer_class = PatrolAssignmentSerializer
    filterset_fields = ["unit", "team"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.patrol_assign(actor=actor(self.request), **serializer.validated_data)


class PoliceRoomViewSet(CreateOnlyViewSet):
    """F-FORCE-7: one room per unit; a POST sets it (201 the first time, 200 after)."""

    queryset = PoliceRoom.objects.order_by("unit_id")
    serializer_class = PoliceRoomSerializer
    filterset_fields = ["unit", "set_up"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        existed = PoliceRoom.objects.filter(unit=serializer.validated_data["unit"]).exists()
        room = services.police_room_set(actor=actor(request), **serializer.validated_data)
        return Response(self.get_serializer(room).data, status=status.HTTP_200_OK if existed else
                        status.HTTP_201_CREATED)


class CheckInPointViewSet(CreateOnlyViewSet):
    """Where QR codes hang: a unit's gate, or a police-car post on a key road section."""

    queryset = CheckInPoint.objects.order_by("unit_id", "name")
    serializer_class = CheckInPointSerializer
    filterset_fields = ["unit", "kind"]

    def perform_create(self, serializer: Any) -> None:
        user = actor(self.request)
        data = dict(serializer.validated_data)
        kind = "gate" if data.get("unit") else "road_post"
        serializer.instance = services.point_create(actor=user, subdistrict=user.organisation.subdistrict,  # type: ignore[arg-type]
                                                    kind=kind, **data)

    @extend_schema(request=None, responses=CheckInPointSerializer)
    @action(detail=True, methods=["post"])
    def rotate(self, request: Request, pk: str) -> Response:
        point = services.point_rotate(actor=actor(request), point=self.get_object())
        return Response(self.get_serializer(point).data)


class CheckInViewSet(IdempotentCreateMixin, CreateOnlyViewSet):
    """F-FORCE-2: ``{"unit"}`` is a tap in the app, ``{"token"}`` a scanned QR code."""

    queryset = CheckIn.objects.select_related("unit").order_by("-at", "-id")
    serializer_class = CheckInSerializer
    filterset_fields = {"unit": ["exact"], "role": ["exact"], "day": ["exact", "gte", "lte"]}

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        user = actor(self.request)
        if data.get("token"):
            point = CheckInPoint.objects.filter(token=data["token"]).select_related("unit").first()
            if point is None:
                raise serializers.ValidationError({"token": ["This QR code is not (or no longer) valid."]})
            serializer.instance = services.checkin_record(actor=user, point=point, method=CheckInMethod.QR)
        else:
            serializer.instance = services.checkin_record(actor=user, unit=data["unit"], method=CheckInMethod.TAP)


class VisibilityView(APIView):
    """见警率: windows with a police check-in / windows scheduled, per unit and officer, for a week."""

    @extend_schema(parameters=[OpenApiParameter("week", str, description="a date in the week (YYYY-MM-DD)"),
                               OpenApiParameter("unit", int)],
                   responses=inline_serializer("Visibility", {"week": serializers.DateField(),
                                                              "by_unit": serializers.ListField(),
                                                              "by_officer": serializers.ListField()}))
    def get(self, request: Request) -> Response:
        day = _parse_day(request.query_params.get("week"))
        units = Unit.objects.visible_to(request.user).filter(active=True)
        if request.query_params.get("unit"):
            units = units.filter(pk=get_object_or_404(units, pk=_int(request.query_params["unit"])).pk)
        report = selectors.visibility_report(units, day)

        def row(r: selectors.VisibilityRow, key: str) -> dict[str, Any]:
            return {key: r.key if key == "badge_no" else int(r.key), "label": r.label, "windows_seen": r.hit,
                    "windows_scheduled": r.scheduled, "rate": r.rate}

        return Response({"week": report["first"], "by_unit": [row(r, "unit") for r in report["by_unit"]],
                         "by_officer": [row(r, "badge_no") for r in report["by_officer"]],
                         "trend": report["trend"]})


def _int(value: str) -> int:
    if not value.isdigit():
        raise serializers.ValidationError({"unit": ["A unit id is a number."]})
    return int(value)


def _parse_day(value: str | None) -> date:
    if not value:
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise serializers.ValidationError({"week": ["Give a date, YYYY-MM-DD."]}) from None
