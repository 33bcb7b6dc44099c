"""F-FORCE API serializers: parse and check the shape; the services decide and write."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from huxiao.core.api import StrictModelSerializer, StrictSerializer, VisiblePrimaryKeyField
from huxiao.core.dates import age_on
from huxiao.core.models import Organisation, OrgType, Unit, User
from huxiao.core.validators import mask_resident_id
from huxiao.force.models import (
    CheckIn,
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
from huxiao.timetable.models import TimetableWindow


def unit_field(**kwargs: Any) -> VisiblePrimaryKeyField:
    return VisiblePrimaryKeyField(Unit, **kwargs)


class PoliceAssignmentSerializer(StrictModelSerializer):
    unit = unit_field()
    officer = VisiblePrimaryKeyField(User, limit={"role": "police"}, required=False, allow_null=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = PoliceAssignment
        fields = ["id", "unit", "officer_name", "badge_no", "phone", "station", "officer", "start_date", "end_date",
                  "current"]
        read_only_fields = ["id", "station", "current"]

    def get_current(self, obj: PoliceAssignment) -> bool:
        today = timezone.localdate()
        return obj.start_date <= today and (obj.end_date is None or obj.end_date >= today)


class EndSerializer(StrictSerializer):
    end_date = serializers.DateField()


class LegalVicePrincipalSerializer(StrictModelSerializer):
    unit = unit_field()

    class Meta:
        model = LegalVicePrincipal
        fields = ["id", "unit", "name", "employer", "phone", "start_date", "end_date"]
        read_only_fields = ["id", "end_date"]


class LectureSerializer(StrictModelSerializer):
    unit = unit_field()
    lecturer = VisiblePrimaryKeyField(LegalVicePrincipal, required=False, allow_null=True)

    class Meta:
        model = Lecture
        fields = ["id", "unit", "lecturer", "date", "class_name", "topic", "class_hours", "audience"]
        read_only_fields = ["id"]


class GuardSerializer(StrictModelSerializer):
    unit = unit_field()
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=32)
    id_number_masked = serializers.SerializerMethodField()
    birth_date = serializers.DateField(required=False)
    age = serializers.SerializerMethodField()

    class Meta:
        model = Guard
        fields = ["id", "unit", "name", "id_number", "id_number_masked", "birth_date", "age", "phone",
                  "certificate_no", "employer", "hire_date", "active"]
        read_only_fields = ["id"]

    def get_id_number_masked(self, obj: Guard) -> str:
        return mask_resident_id(obj.id_number)

    def get_age(self, obj: Guard) -> int | None:
        return age_on(obj.birth_date, timezone.localdate()) if obj.birth_date else None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None and "unit" in attrs and attrs["unit"].pk != self.instance.unit_id:
            raise serializers.ValidationError({"unit": ["A guard cannot be moved to another unit: add them there."]})
        if self.instance is not None:
            attrs.pop("unit", None)
        return attrs


class EquipmentSerializer(StrictModelSerializer):
    unit = unit_field()

    class Meta:
        model = Equipment
        fields = ["id", "unit", "kind", "quantity", "note"]
        read_only_fields = ["id"]
        validators: list[Any] = []  # the service names the existing row for a kind already held

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            for name in ("unit", "kind"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: ["Cannot be changed: add a new row instead."]})
                attrs.pop(name, None)
        return attrs


class StaffMemberSerializer(StrictModelSerializer):
    unit = unit_field()
    user = VisiblePrimaryKeyField(User, required=False, allow_null=True)

    class Meta:
        model = StaffMember
        fields = ["id", "unit", "name", "position", "phone", "user", "active"]
        read_only_fields = ["id"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            for name in ("unit", "user"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: ["Cannot be changed."]})
                attrs.pop(name, None)
        return attrs


class EscortDutySerializer(StrictModelSerializer):
    member = VisiblePrimaryKeyField(StaffMember)
    window = VisiblePrimaryKeyField(TimetableWindow)

    class Meta:
        model = EscortDuty
        fields = ["id", "unit", "member", "window", "weekdays"]
        read_only_fields = ["id", "unit"]


class PatrolTeamSerializer(StrictModelSerializer):
    community = VisiblePrimaryKeyField(Organisation, limit={"type": OrgType.COMMUNITY})

    class Meta:
        model = PatrolTeam
        fields = ["id", "community", "name", "leader", "phone", "members"]
        read_only_fields = ["id"]


class PatrolAssignmentSerializer(StrictModelSerializer):
    team = VisiblePrimaryKeyField(PatrolTeam)
    window = VisiblePrimaryKeyField(TimetableWindow)

    class Meta:
        model = PatrolAssignment
        fields = ["id", "team", "unit", "window", "weekdays"]
        read_only_fields = ["id", "unit"]


class PoliceRoomSerializer(StrictModelSerializer):
    unit = unit_field()
    officer = VisiblePrimaryKeyField(PoliceAssignment, required=False, allow_null=True)

    class Meta:
        model = PoliceRoom
        fields = ["id", "unit", "set_up", "location", "set_up_on", "officer", "note"]
        read_only_fields = ["id"]
        validators: list[Any] = []  # one room per unit: POST sets it (created or replaced)


class CheckInPointSerializer(StrictModelSerializer):
    unit = unit_field(required=False, allow_null=True)
    token = serializers.SerializerMethodField()

    class Meta:
        model = CheckInPoint
        fields = ["id", "unit", "kind", "name", "lat", "lng", "token"]
        read_only_fields = ["id", "kind", "token"]

    def get_token(self, obj: CheckInPoint) -> str | None:
        """Only those who may print the code see it: otherwise a check-in would not prove presence."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return None
        if obj.unit is not None:
            return obj.token if user.has_perm("force.manage_points", obj.unit) else None
        return obj.token if user.role in {"subdistrict_admin", "police"} else None


class CheckInSerializer(StrictModelSerializer):
    unit = unit_field(required=False, allow_null=True)
    token = serializers.CharField(write_only=True, required=False, max_length=64)

    class Meta:
        model = CheckIn
        fields = ["id", "unit", "point", "token", "role", "person_name", "at", "method", "window_kind", "day"]
        read_only_fields = ["id", "point", "role", "person_name", "at", "method", "window_kind", "day"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if bool(attrs.get("unit")) == bool(attrs.get("token")):
            raise serializers.ValidationError({"non_field_errors": ["Give either unit (a tap) or token (a QR code)."]})
        return attrs
