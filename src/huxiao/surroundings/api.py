"""F-SURR API: ``/api/v1/premises/`` (API.md: GET, POST, PATCH; read-only ``nearest_unit``, ``distance_m``,
``violation``), ``/api/v1/cleanup-campaigns/`` and ``/api/v1/cleanup-records/`` (GET, POST), and
``/api/v1/traffic-reports/`` (GET, POST: each opens a hazard, named in ``hazard``)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from huxiao.core.api import ScopedModelViewSet, StrictModelSerializer, VisiblePrimaryKeyField, actor
from huxiao.core.models import Organisation, Unit
from huxiao.surroundings import services
from huxiao.surroundings.models import Campaign, CleanupRecord, Premises, TrafficReport
from huxiao.surroundings.selectors import mark_violations


class PremisesListSerializer(serializers.ListSerializer[Any]):
    """A page of premises: their violations from one read of the parameters."""

    def to_representation(self, data: Any) -> Any:
        rows = mark_violations(data.all() if hasattr(data, "all") else data)
        return super().to_representation(rows)


class PremisesSerializer(StrictModelSerializer):
    nearest_unit: serializers.PrimaryKeyRelatedField[Unit] = serializers.PrimaryKeyRelatedField(read_only=True)
    nearest_unit_name = serializers.SerializerMethodField()
    distance_m = serializers.SerializerMethodField()
    violation = serializers.SerializerMethodField()

    class Meta:
        model = Premises
        list_serializer_class = PremisesListSerializer
        fields = ["id", "name", "kind", "address", "lat", "lng", "licence_no", "operator", "status", "cleared_on",
                  "nearest_unit", "nearest_unit_name", "distance_m", "violation", "created_at"]
        read_only_fields = ["id", "status", "cleared_on", "created_at"]

    def get_nearest_unit_name(self, obj: Premises) -> str:
        return obj.nearest_unit.display_name if obj.nearest_unit else ""

    def get_distance_m(self, obj: Premises) -> float | None:
        """Metres to the nearest campus's boundary (its point where none is drawn), to the decimetre."""
        return None if obj.distance_m is None else round(obj.distance_m, 1)

    def get_violation(self, obj: Premises) -> bool:
        if not hasattr(obj, "violation"):
            mark_violations([obj])
        return bool(obj.violation)  # type: ignore[attr-defined]


class PremisesViewSet(ScopedModelViewSet):
    """F-SURR-1. Police, governance and the sub-district admin write; a unit's staff read what is near them."""

    queryset = Premises.objects.select_related("nearest_unit").order_by("distance_m", "name", "id")
    serializer_class = PremisesSerializer
    filterset_fields = ["kind", "status", "nearest_unit"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.premises_add(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.premises_update(actor=actor(self.request), premises=serializer.instance,
                                                       **serializer.validated_data)


class CampaignSerializer(StrictModelSerializer):
    lead_office = VisiblePrimaryKeyField(Organisation)
    lead_office_name = serializers.CharField(source="lead_office.display_name", read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "title", "lead_office", "lead_office_name", "starts_on", "ends_on", "description",
                  "created_at"]
        read_only_fields = ["id", "created_at"]


class CampaignViewSet(ScopedModelViewSet):
    http_method_names = ["get", "post", "head", "options"]
    queryset = Campaign.objects.select_related("lead_office").order_by("-starts_on", "-id")
    serializer_class = CampaignSerializer

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.campaign_add(actor=actor(self.request), **serializer.validated_data)


class CleanupRecordSerializer(StrictModelSerializer):
    premises = VisiblePrimaryKeyField(Premises)
    campaign = VisiblePrimaryKeyField(Campaign, required=False, allow_null=True)
    recorded_by_name = serializers.CharField(source="recorded_by.__str__", read_only=True)

    class Meta:
        model = CleanupRecord
        fields = ["id", "premises", "campaign", "date", "action", "note", "recorded_by_name", "recorded_at"]
        read_only_fields = ["id", "recorded_by_name", "recorded_at"]


class CleanupRecordViewSet(ScopedModelViewSet):
    """Records are kept as written: GET and POST only."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = CleanupRecord.objects.select_related("recorded_by").order_by("-date", "-id")
    serializer_class = CleanupRecordSerializer
    filterset_fields = ["premises", "campaign", "action"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.cleanup_record(actor=actor(self.request), **serializer.validated_data)


class TrafficReportSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    hazard: serializers.PrimaryKeyRelatedField[Any] = serializers.PrimaryKeyRelatedField(read_only=True)
    reported_by_name = serializers.CharField(source="reported_by.__str__", read_only=True)

    class Meta:
        model = TrafficReport
        fields = ["id", "unit", "kind", "place", "lat", "lng", "observed_at", "description", "reported_by_name",
                  "hazard", "created_at"]
        read_only_fields = ["id", "reported_by_name", "hazard", "created_at"]


class TrafficReportViewSet(ScopedModelViewSet):
    """F-SURR-2. A report opens a hazard at the unit (source "traffic"), rectified through F-PREV-2."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = TrafficReport.objects.select_related("reported_by").order_by("-observed_at", "-id")
    serializer_class = TrafficReportSerializer
    filterset_fields = ["unit", "kind"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.traffic_report(actor=actor(self.request), **serializer.validated_data)
