from __future__ import annotations

from typing import Any, Protocol, cast

from auditlog.models import LogEntry
from django.db.models import QuerySet
from rest_framework import serializers

from huxiao.core.api import StrictModelSerializer
from huxiao.core.models import Organisation, OrgType, Unit, User


class _OrganisationChoices(Protocol):
    queryset: QuerySet[Organisation]


def _related(field: object) -> _OrganisationChoices:
    """A declared ``PrimaryKeyRelatedField`` to organisations, whose choices are narrowed per request."""
    return cast(_OrganisationChoices, field)


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    class Meta:
        model = Organisation
        fields = ["id", "type", "code", "name", "name_en", "parent", "address", "lat", "lng", "phone"]
        read_only_fields = fields


class UnitSerializer(StrictModelSerializer[Unit]):
    community = serializers.PrimaryKeyRelatedField(
        source="parent", queryset=Organisation.objects.filter(type=OrgType.COMMUNITY)
    )
    community_name = serializers.CharField(source="parent.name", read_only=True)
    police_station = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(type=OrgType.POLICE_STATION), required=False, allow_null=True
    )
    boundary = serializers.JSONField(required=False, allow_null=True)

    class Meta:
        model = Unit
        fields = [
            "id", "code", "name", "name_en", "kind", "pupils", "boarding", "address", "lat", "lng", "boundary",
            "phone", "principal", "community", "community_name", "police_station", "active",
        ]
        read_only_fields = ["id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # Only organisations the user can see are valid choices (an unseen id reads as "does not exist").
            visible = Organisation.objects.visible_to(request.user)
            if isinstance(self.instance, Unit):
                # What the unit points at now may be sent back unchanged, even by a unit admin who does not
                # see its police station.
                visible = visible | Organisation.objects.filter(
                    pk__in=[self.instance.parent_id, self.instance.police_station_id])
            _related(self.fields["community"]).queryset = visible.filter(type=OrgType.COMMUNITY)
            _related(self.fields["police_station"]).queryset = visible.filter(type=OrgType.POLICE_STATION)

    def validate_code(self, value: str) -> str:
        # The model's validator has checked the characters and the length; codes are kept upper-case.
        return value.strip().upper()


class MeSerializer(serializers.ModelSerializer[User]):
    organisation = OrganisationSerializer(read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "organisation"]
        read_only_fields = fields


class LogEntrySerializer(serializers.ModelSerializer[LogEntry]):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)
    model = serializers.CharField(source="content_type.model", read_only=True)
    action = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = LogEntry
        fields = ["id", "timestamp", "actor", "remote_addr", "action", "model", "object_pk", "object_repr",
                  "changes"]
        read_only_fields = fields

    def get_action(self, obj: LogEntry) -> str:
        return {0: "create", 1: "update", 2: "delete", 3: "access"}.get(obj.action, str(obj.action))

    def get_changes(self, obj: LogEntry) -> Any:
        return obj.changes_dict


def _run_validator(validator: Any, value: str) -> str:
    """Apply a Django validator that normalises; its messages become DRF field errors."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    if not value:
        return ""
    try:
        return str(validator(value))
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc


class UserSerializer(StrictModelSerializer[User]):
    """Staff accounts. ID numbers and phones are write-only; responses carry them masked (F-PRIV)."""

    password = serializers.CharField(write_only=True, required=False, trim_whitespace=False, max_length=256)
    id_number = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=32)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    id_number_masked = serializers.SerializerMethodField()
    phone_masked = serializers.SerializerMethodField()
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())

    class Meta:
        model = User
        fields = ["id", "username", "password", "full_name", "email", "role", "organisation", "is_active",
                  "id_number", "id_number_masked", "phone", "phone_masked"]
        read_only_fields = ["id"]
        create_only_fields = ["username", "role", "organisation", "password"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            _related(self.fields["organisation"]).queryset = Organisation.objects.visible_to(request.user)

    def validate_id_number(self, value: str) -> str:
        from huxiao.core.validators import validate_resident_id

        return _run_validator(validate_resident_id, value)

    def validate_phone(self, value: str) -> str:
        from huxiao.core.validators import validate_phone

        return _run_validator(validate_phone, value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": ["This field is required."]})
        return attrs

    def get_id_number_masked(self, obj: User) -> str:
        from huxiao.core.validators import mask_resident_id

        return mask_resident_id(obj.id_number)

    def get_phone_masked(self, obj: User) -> str:
        from huxiao.core.validators import mask_phone

        return mask_phone(obj.phone)
