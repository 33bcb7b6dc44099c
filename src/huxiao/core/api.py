"""F-API base classes: strict input and scoped views.

Views extend ``ScopedModelViewSet`` (or the generic bases below) and get the tenant scope for free:
``get_queryset`` is ``visible_to(user)``, so an object outside the scope is 404 on every method, before
any permission or write is considered. Errors and pagination live in ``core.errors``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, serializers, viewsets

from huxiao.core.errors import Conflict, error_body
from huxiao.core.models import User

__all__ = ["Conflict", "ScopedModelViewSet", "ScopedReadOnlyViewSet", "StrictModelSerializer",
           "StrictSerializer", "error_body"]


class StrictSerializerMixin:
    """Reject fields the serializer does not know, instead of silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            known = {name for name, field in self.fields.items() if not field.read_only}  # type: ignore[attr-defined]
            unknown = sorted(set(data) - known)
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):  # type: ignore[type-arg]
    pass


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):  # type: ignore[type-arg]
    pass


class ScopedQuerysetMixin:
    """``get_queryset`` is the model's ``visible_to(request.user)``: scope once, for every method."""

    queryset: Any

    def get_queryset(self) -> Any:
        return self.queryset.visible_to(self.request.user)  # type: ignore[attr-defined]


def actor(request: Any) -> User:
    """The authenticated user behind a request (views are behind IsAuthenticated)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated
    return user


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    pass


class ScopedModelViewSet(
    ScopedQuerysetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,  # type: ignore[type-arg]
):
    """List, retrieve, create and PATCH. PUT is not offered: partial updates only."""

    http_method_names = ["get", "post", "patch", "head", "options"]


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
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
