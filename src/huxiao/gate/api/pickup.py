"""F-GATE-1 and F-GATE-2 API (API.md: visits, children, pick-up persons, delegations, pick-ups).

Gate POSTs accept an ``Idempotency-Key`` header (``core.idempotency``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.core.api import (
    ColleagueField,
    ScopedModelViewSet,
    StrictModelSerializer,
    StrictSerializer,
    VisiblePrimaryKeyField,
    actor,
)
from huxiao.core.idempotency import IdempotentCreateMixin, IdempotentPostMixin, idempotent, run_idempotent
from huxiao.core.models import Role, Unit, User
from huxiao.core.validators import mask_phone, mask_resident_id
from huxiao.gate.models import (
    BlockListEntry,
    Child,
    Delegation,
    PickupPerson,
    Release,
    SchoolClass,
    Visit,
)
from huxiao.gate.services import pickup as pickup_services
from huxiao.gate.services import visits as visit_services


class CreateOnly(ScopedModelViewSet):
    http_method_names = ["get", "post", "head", "options"]


# --- visits -------------------------------------------------------------------------------------------

class VisitSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    id_number = serializers.CharField(write_only=True, max_length=32)
    id_number_masked = serializers.SerializerMethodField()
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    phone_masked = serializers.SerializerMethodField()
    # A teacher or the unit admin of the guard's own unit (whom a guard's user list does not show).
    host = ColleagueField(roles={Role.TEACHER, Role.UNIT_ADMIN}, required=False, allow_null=True)
    decision = serializers.CharField(source="status", read_only=True)

    class Meta:
        model = Visit
        fields = ["id", "unit", "id_type", "id_number", "id_number_masked", "name", "phone", "phone_masked",
                  "purpose", "host", "host_name", "decision", "reason", "arrived_at", "decided_at", "left_at"]
        read_only_fields = ["id", "host_name", "decision", "reason", "arrived_at", "decided_at", "left_at"]

    def get_id_number_masked(self, obj: Visit) -> str:
        return mask_resident_id(obj.id_number)

    def get_phone_masked(self, obj: Visit) -> str:
        return mask_phone(obj.phone)


class AnswerSerializer(StrictSerializer):
    approve = serializers.BooleanField()


class VisitViewSet(IdempotentCreateMixin, CreateOnly):
    """F-GATE-1. POST registers a visitor and answers the decision at once: ``admitted``, ``refused`` or
    ``awaiting_host`` (class hours), with the reason the guard may read."""

    queryset = Visit.objects.select_related("unit").order_by("-arrived_at", "-id")
    serializer_class = VisitSerializer
    filterset_fields = {"unit": ["exact"], "status": ["exact"], "day": ["exact", "gte", "lte"]}

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = visit_services.visit_register(actor=actor(self.request), **serializer.validated_data)

    @extend_schema(request=None, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    def checkout(self, request: Request, pk: str) -> Response:
        visit = self.get_object()
        return run_idempotent(self, request, lambda: Response(self.get_serializer(
            visit_services.visit_checkout(actor=actor(request), visit=visit)).data))

    @extend_schema(request=AnswerSerializer, responses=VisitSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request: Request, pk: str) -> Response:
        visit = self.get_object()
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(visit_services.visit_answer(
            actor=actor(request), visit=visit, approve=body.validated_data["approve"])).data)


class BlockListSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    id_number = serializers.CharField(write_only=True, max_length=32)
    id_number_masked = serializers.SerializerMethodField()

    class Meta:
        model = BlockListEntry
        fields = ["id", "unit", "name", "id_number", "id_number_masked", "reason", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]

    def get_id_number_masked(self, obj: BlockListEntry) -> str:
        return mask_resident_id(obj.id_number)


class BlockListViewSet(CreateOnly):
    queryset = BlockListEntry.objects.order_by("unit_id", "name")
    serializer_class = BlockListSerializer
    filterset_fields = ["unit", "active"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = visit_services.block_list_add(actor=actor(self.request), **serializer.validated_data)


# --- classes, children, pick-up persons, delegations -------------------------------------------------

class SchoolClassSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    teacher = VisiblePrimaryKeyField(User, limit={"role": "teacher"}, required=False, allow_null=True)

    class Meta:
        model = SchoolClass
        fields = ["id", "unit", "name", "teacher"]
        read_only_fields = ["id"]


class SchoolClassViewSet(CreateOnly):
    queryset = SchoolClass.objects.order_by("unit_id", "name")
    serializer_class = SchoolClassSerializer
    filterset_fields = ["unit", "teacher"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = pickup_services.class_add(actor=actor(self.request), **serializer.validated_data)


class ChildSerializer(StrictModelSerializer):
    school_class = VisiblePrimaryKeyField(SchoolClass)
    class_name = serializers.CharField(source="school_class.name", read_only=True)

    class Meta:
        model = Child
        fields = ["id", "unit", "school_class", "class_name", "name", "birth_date", "active"]
        read_only_fields = ["id", "unit", "class_name", "active"]


class ChildViewSet(CreateOnly):
    """Children: seen only by their own unit's admin, guards and teachers."""

    queryset = Child.objects.select_related("school_class").order_by("school_class__name", "name")
    serializer_class = ChildSerializer
    filterset_fields = ["school_class", "active"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = pickup_services.child_add(actor=actor(self.request), **serializer.validated_data)


class PickupPersonSerializer(StrictModelSerializer):
    child = VisiblePrimaryKeyField(Child)
    id_number = serializers.CharField(write_only=True, max_length=32)
    id_number_masked = serializers.SerializerMethodField()
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    phone_masked = serializers.SerializerMethodField()
    revoked = serializers.SerializerMethodField()

    class Meta:
        model = PickupPerson
        fields = ["id", "child", "name", "relation", "id_number", "id_number_masked", "phone", "phone_masked",
                  "birth_date", "credential_issued_at", "revoked", "revoked_at"]
        read_only_fields = ["id", "birth_date", "credential_issued_at", "revoked", "revoked_at"]

    def get_id_number_masked(self, obj: PickupPerson) -> str:
        return mask_resident_id(obj.id_number)

    def get_phone_masked(self, obj: PickupPerson) -> str:
        return mask_phone(obj.phone)

    def get_revoked(self, obj: PickupPerson) -> bool:
        return obj.revoked_at is not None


class PickupPersonViewSet(IdempotentCreateMixin, CreateOnly):
    """Adults authorised to take a child (18 or older, from the ID's birth date), each with a QR card."""

    queryset = PickupPerson.objects.select_related("child").order_by("child_id", "name")
    serializer_class = PickupPersonSerializer
    filterset_fields = ["child"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = pickup_services.pickup_person_add(actor=actor(self.request),
                                                                **serializer.validated_data)

    @extend_schema(request=None, responses=PickupPersonSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def revoke(self, request: Request, pk: str) -> Response:
        person = pickup_services.pickup_person_revoke(actor=actor(request), person=self.get_object())
        return Response(self.get_serializer(person).data)


class DelegationSerializer(StrictModelSerializer):
    child = VisiblePrimaryKeyField(Child)
    id_number = serializers.CharField(write_only=True, max_length=32)
    id_number_masked = serializers.SerializerMethodField()
    code = serializers.SerializerMethodField()

    class Meta:
        model = Delegation
        fields = ["id", "child", "name", "id_number", "id_number_masked", "date", "requested_by", "code",
                  "used_at", "created_at"]
        read_only_fields = ["id", "code", "used_at", "created_at"]

    def get_id_number_masked(self, obj: Delegation) -> str:
        return mask_resident_id(obj.id_number)

    def get_code(self, obj: Delegation) -> str | None:
        """The code is shown once, in the answer to the POST that made it: pass it on to the guardian."""
        return getattr(obj, "fresh_code", None)


class DelegationViewSet(IdempotentCreateMixin, CreateOnly):
    queryset = Delegation.objects.select_related("child").order_by("-date", "-id")
    serializer_class = DelegationSerializer
    filterset_fields = {"child": ["exact"], "date": ["exact", "gte", "lte"]}

    def perform_create(self, serializer: Any) -> None:
        delegation, code = pickup_services.delegation_create(actor=actor(self.request), **serializer.validated_data)
        delegation.fresh_code = code  # type: ignore[attr-defined]
        serializer.instance = delegation


# --- the release --------------------------------------------------------------------------------------

class PickupSerializer(StrictSerializer):
    child = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    person = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    credential = serializers.CharField(required=False, max_length=200)
    delegation_code = serializers.CharField(required=False, max_length=20)
    id_number = serializers.CharField(required=False, max_length=32)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        ways = [bool(attrs.get("person")), bool(attrs.get("credential")),
                bool(attrs.get("delegation_code") or attrs.get("id_number"))]
        if sum(ways) != 1:
            raise serializers.ValidationError({"non_field_errors": [
                "Give exactly one of: person, credential, or delegation_code with id_number."]})
        if ways[2] and not (attrs.get("delegation_code") and attrs.get("id_number")):
            missing = "id_number" if attrs.get("delegation_code") else "delegation_code"
            raise serializers.ValidationError({missing: ["Required with a delegation."]})
        return attrs


# What the release needs of a child and a pick-up person; the rest (encrypted ID numbers, phones, the card)
# is not read on the hot path, so not decrypted.
CHILD_FIELDS = ("id", "unit_id", "school_class_id", "name")
PERSON_FIELDS = ("id", "child_id", "unit_id", "name", "relation", "revoked_at")


def _child_and_person(user: User, child_id: int, person_id: int | None) -> tuple[Child, PickupPerson | None]:
    """The scoped child and person in one query when the person is the child's (the common case)."""
    if person_id is not None:
        person = next(iter(
            PickupPerson.objects.visible_to(user).filter(pk=person_id).order_by().select_related("child")
            .only(*PERSON_FIELDS, *(f"child__{f}" for f in CHILD_FIELDS if f != "id"))[:1]), None)
        if person is None:
            raise serializers.ValidationError({"person": ["No such pick-up person."]})
        if person.child_id == child_id:
            return person.child, person
    else:
        person = None
    child = next(iter(Child.objects.visible_to(user).only(*CHILD_FIELDS).filter(pk=child_id).order_by()[:1]), None)
    if child is None:
        raise serializers.ValidationError({"child": ["No such child."]})
    return child, person


class PickupView(IdempotentPostMixin, APIView):
    """F-GATE-2: release a child. 201 ``{decision: "released"}``; 409 ``already_released`` with who and
    when; 403 ``not_authorised`` (recorded and alerted)."""

    @extend_schema(request=PickupSerializer, responses={201: inline_serializer("Released", {
        "decision": serializers.CharField(), "child": serializers.IntegerField(),
        "taken_by": serializers.CharField(), "released_at": serializers.DateTimeField(),
        "early": serializers.BooleanField(help_text="Outside every dismissal window: an early pick-up.")})})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)

    def _post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = PickupSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        user = actor(request)
        child, person = _child_and_person(user, data.pop("child"), data.pop("person", None))
        release: Release = pickup_services.pickup_release(actor=user, child=child, person=person, **data)
        return Response({"decision": "released", "id": release.pk, "child": release.child_id,
                         "taken_by": release.taken_by, "early": release.early,
                         "released_at": timezone.localtime(release.released_at).isoformat()},
                        status=status.HTTP_201_CREATED)

