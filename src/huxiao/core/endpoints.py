"""The core's own API endpoints (units, organisations, me, audit). Base classes live in ``core.api``."""

from __future__ import annotations

from typing import Any

import django_filters
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.core import services
from huxiao.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, actor
from huxiao.core.models import Organisation, Unit, User
from huxiao.core.serializers import (
    LogEntrySerializer,
    MeSerializer,
    OrganisationSerializer,
    UnitSerializer,
    UserSerializer,
)


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="search code, name or address")
    community = django_filters.NumberFilter(field_name="parent_id")

    class Meta:
        model = Unit
        fields = ["kind", "community", "police_station", "boarding", "active"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(name_en__icontains=value)
                               | Q(address__icontains=value))


class UnitViewSet(ScopedModelViewSet):
    """F-FORCE: the units (schools and kindergartens) the user may see."""

    queryset = Unit.objects.select_related("parent").order_by("code")
    serializer_class = UnitSerializer
    filterset_class = UnitFilter

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.unit_create(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.unit_update(
            actor=actor(self.request), unit=serializer.instance, **serializer.validated_data
        )


class OrganisationViewSet(ScopedReadOnlyViewSet):
    queryset = Organisation.objects.order_by("type", "code")
    serializer_class = OrganisationSerializer
    filterset_fields = ["type", "parent"]


class UserViewSet(ScopedModelViewSet):
    """Staff accounts: the sub-district admin's, or a unit admin's own unit's."""

    queryset = User.objects.select_related("organisation").order_by("username")
    serializer_class = UserSerializer
    filterset_fields = ["role", "organisation", "is_active"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.user_add(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.user_update(
            actor=actor(self.request), user=serializer.instance, **serializer.validated_data
        )


class MeView(APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class CanViewAudit(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user.has_perm("core.view_audit"):
            raise PermissionDenied
        return True


class AuditFilter(django_filters.FilterSet):
    model = django_filters.CharFilter(field_name="content_type__model")
    actor = django_filters.CharFilter(field_name="actor__username")
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt")

    class Meta:
        model = LogEntry
        fields = ["action", "object_pk"]


class AuditViewSet(viewsets.ReadOnlyModelViewSet):  # type: ignore[type-arg]
    """F-AUDIT: the sub-district admin reads who changed what, when, from where."""

    serializer_class = LogEntrySerializer
    permission_classes = [CanViewAudit]
    filterset_class = AuditFilter

    def get_queryset(self) -> Any:
        return audit_visible_to(self.request.user)


def audit_visible_to(user: Any) -> Any:
    if not user.is_authenticated or not user.has_perm("core.view_audit"):
        return LogEntry.objects.none()
    return (
        LogEntry.objects.filter(additional_data__subdistrict=user.organisation.subdistrict_id)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )
