"""F-RISK API: ``/api/v1/risk-persons/`` (GET, POST, PATCH; ``/{id}/assessments/``, ``/{id}/follow-ups/``,
``/{id}/close/``, ``/{id}/reveal/`` ``{field, reason}``) and ``/api/v1/disputes/`` (GET, POST;
``/{id}/mediations/``, ``/{id}/end/``). Police and governance officers only: any other role gets 403 on
every path (API.md), before anything is looked up. Every person a response carries is an audited read;
ID numbers and phones are write-only and come back masked."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from huxiao.core.api import ScopedModelViewSet, StrictModelSerializer, StrictSerializer, VisiblePrimaryKeyField, actor
from huxiao.core.audit import audit_read
from huxiao.core.models import Role, Unit, User
from huxiao.core.reveal import reveal
from huxiao.core.validators import mask_phone, mask_resident_id
from huxiao.risk import services
from huxiao.risk.models import (
    Assessment,
    Dispute,
    DisputeStatus,
    FollowUp,
    Mediation,
    Party,
    RiskPerson,
)
from huxiao.risk.rules import due_on
from huxiao.risk.selectors import followup_days


class LedgerRole(BasePermission):
    """403 for every role but police and governance (``risk.view_ledger``)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user.has_perm("risk.view_ledger"))


class AssessmentSerializer(StrictModelSerializer):
    assessor_name = serializers.CharField(source="assessor.full_name", read_only=True)

    class Meta:
        model = Assessment
        fields = ["id", "assessed_on", "level", "basis", "assessor_name"]
        read_only_fields = ["id", "assessor_name"]
        extra_kwargs = {"assessed_on": {"required": False}}


class FollowUpSerializer(StrictModelSerializer):
    by_name = serializers.CharField(source="by.full_name", read_only=True)

    class Meta:
        model = FollowUp
        fields = ["id", "kind", "on", "note", "by_name"]
        read_only_fields = ["id", "by_name"]
        extra_kwargs = {"on": {"required": False}}


class RiskPersonSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    officer = VisiblePrimaryKeyField(User, limit={"role": Role.POLICE})
    id_number = serializers.CharField(write_only=True, max_length=32)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    address = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)
    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    basis = serializers.CharField(write_only=True, max_length=1000,
                                  help_text="Why the person is at this level (the first assessment).")
    next_followup_due = serializers.SerializerMethodField()
    assessments = AssessmentSerializer(many=True, read_only=True)
    followups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = RiskPerson
        fields = ["id", "unit", "name", "id_number", "id_number_masked", "phone", "phone_masked", "address",
                  "category", "level", "status", "officer", "community_contact", "community_phone", "registered_on",
                  "last_followup_on", "next_followup_due", "closed_on", "close_reason", "basis", "assessments",
                  "followups"]
        read_only_fields = ["id", "status", "registered_on", "last_followup_on", "closed_on", "close_reason"]
        create_only_fields = ["unit", "id_number", "level", "basis"]

    def get_id_number_masked(self, obj: RiskPerson) -> str:
        return mask_resident_id(obj.id_number)

    def get_phone_masked(self, obj: RiskPerson) -> str:
        return mask_phone(obj.phone)

    def get_next_followup_due(self, obj: RiskPerson) -> str | None:
        if obj.status != "active":
            return None
        context = cast(dict[str, Any], self.context)  # DRF's context is the view's own dict: a memo per request
        days = context.setdefault("followup_days", followup_days(context["request"].user))
        return due_on(level=obj.level, last_followup_on=obj.last_followup_on, registered_on=obj.registered_on,
                      days=days).isoformat()


class PersonCloseSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=200)


class RevealSerializer(StrictSerializer):
    field = serializers.ChoiceField(choices=["id_number", "phone"])
    reason = serializers.CharField(max_length=200, help_text="Why you need the full value; kept in the audit log.")


class AuditedReadsMixin:
    """Each object a list or detail response carries is recorded as read by the requester (F-AUDIT)."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        page = self.paginate_queryset(queryset)  # type: ignore[attr-defined]
        rows = list(page if page is not None else queryset)
        for row in rows:
            audit_read(row)
        data = self.get_serializer(rows, many=True).data  # type: ignore[attr-defined]
        return self.get_paginated_response(data) if page is not None else Response(data)  # type: ignore[attr-defined]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        audit_read(instance)
        return Response(self.get_serializer(instance).data)  # type: ignore[attr-defined]


class RiskPersonViewSet(AuditedReadsMixin, ScopedModelViewSet):
    queryset = (RiskPerson.objects.select_related("unit", "officer")
                .prefetch_related("assessments__assessor", "followups__by").order_by("unit_id", "name", "id"))
    serializer_class = RiskPersonSerializer
    permission_classes = [IsAuthenticated, LedgerRole]
    filterset_fields = ["unit", "level", "status", "category"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.person_register(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.person_update(actor=actor(self.request), person=serializer.instance,
                                                     **serializer.validated_data)

    def _fresh(self, pk: int) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=201)

    @extend_schema(request=AssessmentSerializer, responses=RiskPersonSerializer)
    @action(detail=True, methods=["post"])
    def assessments(self, request: Request, pk: str) -> Response:
        """A new dated assessment: its level becomes the person's level."""
        person = self.get_object()
        body = AssessmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        services.assessment_add(actor=actor(request), person=person, level=data["level"], basis=data["basis"],
                                on=data.get("assessed_on"))
        return self._fresh(person.pk)

    @extend_schema(request=FollowUpSerializer, responses=RiskPersonSerializer)
    @action(detail=True, methods=["post"], url_path="follow-ups")
    def follow_ups(self, request: Request, pk: str) -> Response:
        """A follow-up (疏导化解 ``deescalation``, 管控 ``control``, or a home ``visit``)."""
        person = self.get_object()
        body = FollowUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.followup_add(actor=actor(request), person=person, **body.validated_data)
        return self._fresh(person.pk)

    @extend_schema(request=PersonCloseSerializer, responses=RiskPersonSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        person = self.get_object()
        body = PersonCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.person_close(actor=actor(request), person=person, reason=body.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=person.pk)).data)

    @extend_schema(request=RevealSerializer, responses=inline_serializer(
        "Revealed", {"field": serializers.CharField(), "value": serializers.CharField()}))
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str) -> Response:
        """The full ID number or phone, for a reason written to the audit log (F-PRIV)."""
        person = self.get_object()
        body = RevealSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        value = reveal(actor=actor(request), instance=person, perm="risk.reveal_person", **body.validated_data)
        return Response({"field": body.validated_data["field"], "value": value})


class PartySerializer(StrictModelSerializer):
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Party
        fields = ["id", "name", "side", "phone", "phone_masked"]
        read_only_fields = ["id"]

    def get_phone_masked(self, obj: Party) -> str:
        return mask_phone(obj.phone)


class MediationSerializer(StrictModelSerializer):
    class Meta:
        model = Mediation
        fields = ["id", "on", "mediator", "note"]
        read_only_fields = ["id"]
        extra_kwargs = {"on": {"required": False}}


class DisputeSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    parties = PartySerializer(many=True)
    mediations = MediationSerializer(many=True, read_only=True)

    class Meta:
        model = Dispute
        fields = ["id", "unit", "title", "kind", "level", "description", "reported_on", "status", "outcome",
                  "ended_on", "parties", "mediations"]
        read_only_fields = ["id", "status", "outcome", "ended_on"]
        create_only_fields = ["unit", "parties"]
        extra_kwargs = {"reported_on": {"required": False}}


class DisputeEndSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=[DisputeStatus.RESOLVED, DisputeStatus.REFERRED])
    outcome = serializers.CharField(max_length=1000)


class DisputeViewSet(AuditedReadsMixin, ScopedModelViewSet):
    queryset = Dispute.objects.select_related("unit").prefetch_related("parties", "mediations").order_by(
        "-reported_on", "-id")
    serializer_class = DisputeSerializer
    permission_classes = [IsAuthenticated, LedgerRole]
    filterset_fields = ["unit", "status", "level", "kind"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        serializer.instance = services.dispute_register(actor=actor(self.request), on=data.pop("reported_on", None),
                                                        **data)

    @extend_schema(request=MediationSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def mediations(self, request: Request, pk: str) -> Response:
        dispute = self.get_object()
        body = MediationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.mediation_add(actor=actor(request), dispute=dispute, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=dispute.pk)).data, status=201)

    @extend_schema(request=DisputeEndSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        dispute = self.get_object()
        body = DisputeEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.dispute_end(actor=actor(request), dispute=dispute, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=dispute.pk)).data)


