"""F-GATE-3 API: ``GET``/``PUT /api/v1/units/{id}/timetable/``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.core.api import StrictSerializer, actor
from huxiao.core.models import Unit
from huxiao.timetable import services
from huxiao.timetable.models import WindowKind
from huxiao.timetable.selectors import gate_mode


class WindowSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=WindowKind.choices)
    weekdays = serializers.RegexField(r"^[1-7]{1,7}$", max_length=7, default="12345")
    start = serializers.TimeField()
    end = serializers.TimeField()
    label = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")  # type: ignore[assignment]


class HolidaySerializer(StrictSerializer):
    date = serializers.DateField()
    name = serializers.CharField(max_length=60)


class TimetableSerializer(StrictSerializer):
    windows = WindowSerializer(many=True)
    holidays = HolidaySerializer(many=True)
    gate_mode = serializers.CharField(read_only=True)


class TimetableView(APIView):
    """A unit's closed-campus timetable; PUT replaces it as a whole."""

    scope_model = Unit  # the object the URL's pk names (tenancy matrix)

    def get_unit(self, request: Request, pk: int) -> Unit:
        return get_object_or_404(Unit.objects.visible_to(request.user), pk=pk)

    @extend_schema(responses=TimetableSerializer)
    def get(self, request: Request, pk: int) -> Response:
        unit = self.get_unit(request, pk)
        data = {
            "windows": list(unit.timetable_windows.values("kind", "weekdays", "start", "end", "label")),
            "holidays": list(unit.holidays.values("date", "name")),
            "gate_mode": gate_mode(unit).mode,
        }
        return Response(TimetableSerializer(data).data)

    @extend_schema(request=TimetableSerializer, responses=TimetableSerializer)
    def put(self, request: Request, pk: int) -> Response:
        unit = self.get_unit(request, pk)
        serializer = TimetableSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.timetable_replace(actor=actor(request), unit=unit, **serializer.validated_data)
        return self.get(request, pk)
