"""F-PREV-2 API: ``/api/v1/hazards/`` (GET, POST: report one) and the transitions as
``POST /api/v1/hazards/{id}/<action>/`` (API.md): ``assign``, ``rectify`` (JSON, or multipart with a
``photo``), ``close``, ``send-back``; ``GET /api/v1/hazards/{id}/history/``. A transition the status does not
allow is a 409 ``invalid_transition`` with the ``status`` and the ``allowed`` actions."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from huxiao.core.api import ScopedModelViewSet, StrictModelSerializer, StrictSerializer, VisiblePrimaryKeyField, actor
from huxiao.core.idempotency import idempotent
from huxiao.core.models import Unit
from huxiao.hazards import selectors, services
from huxiao.hazards.models import Hazard, HazardEvent, HazardStatus, Priority, Source

REPORTABLE_SOURCES = [(s.value, s.label) for s in (Source.REPORT, Source.PATROL, Source.SUPERVISION,
                                                   Source.SURROUNDINGS)]


class HazardEventSerializer(serializers.ModelSerializer[HazardEvent]):
    actor_name = serializers.SerializerMethodField()
    photo = serializers.SerializerMethodField()

    class Meta:
        model = HazardEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "actor_name", "at", "note", "photo"]
        read_only_fields = fields

    def get_actor_name(self, event: HazardEvent) -> str:
        return (event.actor.full_name or event.actor.username) if event.actor else ""

    def get_photo(self, event: HazardEvent) -> str | None:
        from django.urls import reverse

        return reverse("hazard-photo", args=[event.hazard_id, event.pk]) if event.photo else None


class HazardSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    source = serializers.ChoiceField(choices=REPORTABLE_SOURCES, default=Source.REPORT)  # type: ignore[assignment]
    overdue = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = ["id", "unit", "unit_name", "title", "description", "location", "source", "source_ref", "priority",
                  "status", "reported_by", "reported_at", "responsible", "deadline", "assigned_at", "rectification",
                  "rectified_at", "closed_at", "closed_by", "escalated_at", "overdue", "actions"]
        read_only_fields = ["id", "source_ref", "status", "reported_by", "reported_at", "responsible", "deadline",
                            "assigned_at", "rectification", "rectified_at", "closed_at", "closed_by", "escalated_at"]

    def get_overdue(self, hazard: Hazard) -> bool:
        return bool(hazard.deadline and hazard.status == HazardStatus.ASSIGNED
                    and hazard.deadline < timezone.localdate())

    def get_actions(self, hazard: Hazard) -> list[str]:
        request = self.context.get("request")
        return services.actions_for(request.user, hazard) if request else []


class AssignSerializer(StrictSerializer):
    responsible = serializers.CharField(max_length=60)
    deadline = serializers.DateField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class RectifySerializer(StrictSerializer):
    rectification = serializers.CharField(max_length=4000)
    photo = serializers.FileField(required=False, allow_null=True)


class CloseSerializer(StrictSerializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class SendBackSerializer(StrictSerializer):
    note = serializers.CharField(max_length=4000)
    deadline = serializers.DateField(required=False, allow_null=True)


class HazardViewSet(ScopedModelViewSet):
    """Hazards are changed only through their transitions: no PUT, PATCH or DELETE."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Hazard.objects.select_related("unit").order_by("-reported_at", "-id")
    serializer_class = HazardSerializer
    filterset_fields = {"unit": ["exact"], "status": ["exact"], "priority": ["exact"], "source": ["exact"],
                        "deadline": ["lt", "gte"]}

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.hazard_report(actor=actor(self.request), **serializer.validated_data)

    def _transition(self, request: Request, body_class: type[StrictSerializer], service: Any) -> Response:
        hazard = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        done = service(actor=actor(request), hazard=hazard, **body.validated_data)
        return Response(self.get_serializer(done).data)

    @extend_schema(request=AssignSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def assign(self, request: Request, pk: str) -> Response:
        """Reported (or assigned) → assigned: a responsible person and a deadline (default: by priority)."""
        return self._transition(request, AssignSerializer, services.hazard_assign)

    @extend_schema(request={"application/json": RectifySerializer, "multipart/form-data": RectifySerializer},
                   responses=HazardSerializer)
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser])
    @idempotent
    def rectify(self, request: Request, pk: str) -> Response:
        """Assigned → rectified, with what was done and a photo (JPEG, PNG, WebP or HEIC, at most 5 MB)."""
        return self._transition(request, RectifySerializer, services.hazard_rectify)

    @extend_schema(request=CloseSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request: Request, pk: str) -> Response:
        """Rectified → closed: verified by the education or governance office (the police for the streets)."""
        return self._transition(request, CloseSerializer, services.hazard_close)

    @extend_schema(request=SendBackSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    @idempotent
    def send_back(self, request: Request, pk: str) -> Response:
        """Rectified → assigned again, with the reason."""
        return self._transition(request, SendBackSerializer, services.hazard_send_back)

    @extend_schema(request=None, responses=HazardEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str) -> Response:
        hazard = self.get_object()
        return Response(HazardEventSerializer(selectors.history(request.user, hazard), many=True).data)
