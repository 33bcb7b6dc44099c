"""F-API base classes: strict input and scoped views.

Views extend ``ScopedModelViewSet`` (or the generic bases below) and get the tenant scope for free:
``get_queryset`` is ``visible_to(user)``, so an object outside the scope is 404 on every method, before
any permission or write is considered. Errors and pagination live in ``core.errors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions, generics, mixins, serializers, viewsets

from huxiao.core.errors import Conflict, error_body
from huxiao.core.models import User

__all__ = ["Conflict", "ScopedModelViewSet", "ScopedReadOnlyViewSet", "StrictModelSerializer",
           "StrictSerializer", "error_body"]

M = TypeVar("M", bound=models.Model)

if TYPE_CHECKING:  # what the mixins are mixed into, for the type checker
    _SerializerBase = serializers.Serializer[Any]
    _GenericViewBase = generics.GenericAPIView[Any]
else:
    _SerializerBase = _GenericViewBase = object


class StrictSerializerMixin(_SerializerBase):
    """Reject fields the serializer does not know, instead of silently dropping them.

    What the API itself answers may be sent back: a read-only field (``id``, ``*_masked``, ``*_name``,
    computed values) is accepted and ignored, so a GET body can be POSTed or PATCHed as it is. A field
    named in ``Meta.create_only_fields`` is writable on create and read-only on an update, where it may be
    sent only with the value it has (a write-only one, a password, not at all).
    """

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        if self._updating():
            for name in getattr(getattr(self, "Meta", None), "create_only_fields", ()):
                fields[name].read_only = True
        return fields

    def _updating(self) -> bool:
        instance = getattr(self, "instance", None)
        return instance is not None and not isinstance(instance, list | tuple | QuerySet)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            fields = self.fields
            errors = {name: [_("Unknown field.")] for name in sorted(set(data) - set(fields))}
            if self._updating():
                for name in getattr(getattr(self, "Meta", None), "create_only_fields", ()):
                    if name in data and not self._unchanged(fields[name], data[name]):
                        errors[name] = [_("This field cannot be changed.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def _unchanged(self, field: Any, value: Any) -> bool:
        if field.write_only:
            return False
        try:
            current = field.get_attribute(self.instance)
            current = None if current is None else field.to_representation(current)
        except (AttributeError, KeyError, ObjectDoesNotExist):
            return False
        return current == value or (current is not None and value is not None and str(current) == str(value))


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer[M]):
    pass


class StrictSerializer(StrictSerializerMixin, serializers.Serializer[Any]):
    pass


class ScopedQuerysetMixin(_GenericViewBase):
    """``get_queryset`` is the model's ``visible_to(request.user)``: scope once, for every method."""

    queryset: Any

    def get_queryset(self) -> Any:
        return self.queryset.visible_to(self.request.user)


def actor(request: Any) -> User:
    """The authenticated user behind a request (views are behind IsAuthenticated)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated
    return user


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet[M]):
    pass


class ScopedModelViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[M],
):
    """List, retrieve, create and PATCH. PUT is not offered: partial updates only."""

    http_method_names = ["get", "post", "patch", "head", "options"]


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField[Any]):
    """A foreign key the requesting user may only point at what they can see: anything else reads as
    "does not exist", exactly like a missing id."""

    def __init__(self, model: Any, *, limit: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.model = model
        self.limit = limit or {}
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        request = self.context.get("request")
        qs = self.model.objects.visible_to(getattr(request, "user", None))
        return qs.filter(**self.limit) if self.limit else qs


class ColleagueField(serializers.PrimaryKeyRelatedField[User]):
    """A user of the requester's own organisation with one of ``roles`` (the guard a guard hands over to,
    the teacher who hosts a visitor), whom the user list does not show them: ``User.visible_to`` lets a
    guard see only themselves. Anyone else reads as "does not exist"."""

    def __init__(self, *, roles: set[str], **kwargs: Any) -> None:
        self.roles = roles
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[User]:
        user = getattr(self.context.get("request"), "user", None)
        if not isinstance(user, User) or not user.is_active:
            return User.objects.none()
        return User.objects.filter(organisation_id=user.organisation_id, role__in=self.roles, is_active=True)
