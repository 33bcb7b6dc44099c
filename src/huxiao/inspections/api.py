"""F-PREV-1 API: ``/api/v1/inspection-checklists/`` (GET), ``/api/v1/inspection-schedules/`` (GET, POST: set a
unit's schedule for a checklist) and ``/api/v1/inspections/`` (GET, POST: a record with a ``result`` for every
item; a failed item opens a hazard, linked as ``hazard``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from huxiao.core.api import (
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    StrictModelSerializer,
    StrictSerializer,
    VisiblePrimaryKeyField,
    actor,
)
from huxiao.core.idempotency import IdempotentCreateMixin
from huxiao.core.models import Unit
from huxiao.inspections import services
from huxiao.inspections.models import Inspection, ItemResult, Schedule, Template, TemplateItem


class TemplateItemSerializer(serializers.ModelSerializer[TemplateItem]):
    class Meta:
        model = TemplateItem
        fields = ["id", "order", "text", "text_en"]
        read_only_fields = fields


class TemplateSerializer(serializers.ModelSerializer[Template]):
    items = serializers.SerializerMethodField()

    class Meta:
        model = Template
        fields = ["id", "area", "name", "name_en", "items"]
        read_only_fields = fields

    def get_items(self, template: Template) -> list[dict[str, Any]]:
        items = [item for item in template.items.all() if item.active]
        return TemplateItemSerializer(items, many=True).data  # type: ignore[return-value]


class TemplateViewSet(ScopedReadOnlyViewSet):
    queryset = Template.objects.filter(active=True).prefetch_related("items").order_by("area")
    serializer_class = TemplateSerializer
    filterset_fields = ["area"]


class ScheduleSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    template = VisiblePrimaryKeyField(Template)

    class Meta:
        model = Schedule
        fields = ["id", "unit", "template", "every_days", "next_due"]
        read_only_fields = ["id"]
        extra_kwargs = {"next_due": {"required": False}}  # empty: every_days from today
        validators: list[Any] = []  # one per unit and checklist: a POST for an existing pair updates it


class ScheduleViewSet(ScopedModelViewSet):
    http_method_names = ["get", "post", "head", "options"]
    queryset = Schedule.objects.select_related("template").order_by("unit_id", "next_due")
    serializer_class = ScheduleSerializer
    filterset_fields = {"unit": ["exact"], "next_due": ["lt", "gte"]}

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.schedule_set(actor=actor(self.request), **serializer.validated_data)


class InspectionResultSerializer(StrictSerializer):
    item = serializers.IntegerField(source="item_id")
    text = serializers.CharField(read_only=True)
    result = serializers.ChoiceField(choices=ItemResult.choices)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    hazard = serializers.IntegerField(read_only=True, source="hazard_id", allow_null=True)


class InspectionSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    template = VisiblePrimaryKeyField(Template)
    results = InspectionResultSerializer(many=True)

    class Meta:
        model = Inspection
        fields = ["id", "unit", "template", "date", "inspector", "notes", "results", "created_at"]
        read_only_fields = ["id", "inspector", "created_at"]


class InspectionViewSet(IdempotentCreateMixin, ScopedModelViewSet):
    http_method_names = ["get", "post", "head", "options"]
    queryset = (Inspection.objects.select_related("template").prefetch_related("results")
                .order_by("unit_id", "-date", "-id"))
    serializer_class = InspectionSerializer
    filterset_fields = {"unit": ["exact"], "template": ["exact"], "date": ["gte", "lte"]}

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data["results"] = [{"item": r["item_id"], "result": r["result"], "note": r.get("note", "")}
                           for r in data["results"]]
        serializer.instance = services.inspection_record(actor=actor(self.request), **data)
