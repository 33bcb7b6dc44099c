"""The core's own API endpoints (units, organisations, me, audit). Base classes live in ``core.api``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar

import django_filters
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import translation
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.core import services
from huxiao.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet, actor
from huxiao.core.audit_display import audit_changes
from huxiao.core.models import Organisation, Unit, User
from huxiao.core.scoping import audit_scope
from huxiao.core.serializers import (
    LogEntrySerializer,
    MeSerializer,
    OrganisationSerializer,
    UnitSerializer,
    UserSerializer,
)


class UnitFilter(django_filters.FilterSet):  # type: ignore[misc]  # django-filter is not annotated
    q = django_filters.CharFilter(method="search", label="search code, name or address")
    community = django_filters.NumberFilter(field_name="parent_id")

    class Meta:
        model = Unit
        fields = ["kind", "community", "police_station", "boarding", "active"]

    def search(self, queryset: Any, name: str, value: str) -> Any:
        from django.db.models import Q

        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(name_en__icontains=value)
                               | Q(address__icontains=value))


class UnitViewSet(ScopedModelViewSet[Unit]):
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


class OrganisationViewSet(ScopedReadOnlyViewSet[Organisation]):
    queryset = Organisation.objects.order_by("type", "code")
    serializer_class = OrganisationSerializer
    filterset_fields = ["type", "parent"]


class UserViewSet(ScopedModelViewSet[User]):
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
        return Response(MeSerializer(actor(request)).data)


class CanViewAudit(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user.has_perm("core.view_audit"):
            raise PermissionDenied
        return True


class AuditFilter(django_filters.FilterSet):  # type: ignore[misc]
    model = django_filters.CharFilter(field_name="content_type__model")
    actor = django_filters.CharFilter(field_name="actor__username")
    since = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="timestamp", lookup_expr="lt")

    class Meta:
        model = LogEntry
        fields = ["action", "object_pk"]


class AuditChangeSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="the model's field name, as in `changes`")
    # DRF takes declared fields off the class: this does not replace the serializer's own ``label``.
    label = serializers.CharField(help_text="the field's name in the reader's language")  # type: ignore[assignment]
    old = serializers.CharField(help_text="empty: no value")
    new = serializers.CharField()


@extend_schema_serializer(component_name="LogEntry")  # the schema's name for an entry, as before
class AuditEntrySerializer(LogEntrySerializer):
    """``changes`` as stored (for scripts: field names, ids, raw values); ``changes_display`` as the audit
    viewer shows them, in the reader's language: field names, related objects' names, choices' labels,
    times on the sub-district's clock. Masked values stay masked in both."""

    changes_display = serializers.SerializerMethodField()

    class Meta(LogEntrySerializer.Meta):
        fields = [*LogEntrySerializer.Meta.fields, "changes_display"]
        read_only_fields = fields

    @extend_schema_field(AuditChangeSerializer(many=True))
    def get_changes_display(self, obj: LogEntry) -> list[dict[str, str]]:
        display = self.context.get("audit_changes") or {}
        if obj.pk not in display:
            display = audit_changes([obj])
        return [asdict(change) for change in display.get(obj.pk, [])]


class AuditViewSet(viewsets.ReadOnlyModelViewSet[LogEntry]):
    """F-AUDIT: the sub-district admin reads who changed what, when, from where."""

    serializer_class = AuditEntrySerializer
    permission_classes = [CanViewAudit]
    filterset_class = AuditFilter

    def get_queryset(self) -> Any:
        return audit_visible_to(self.request.user)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """The readable changes of the whole page at once: one query per related model, not per entry."""
        if args and isinstance(args[0], LogEntry | list | tuple):
            entries = [args[0]] if isinstance(args[0], LogEntry) else list(args[0])
            kwargs["context"] = {**self.get_serializer_context(), "audit_changes": audit_changes(entries)}
        return super().get_serializer(*args, **kwargs)


def audit_visible_to(user: Any) -> Any:
    if not user.is_authenticated or not user.has_perm("core.view_audit"):
        return LogEntry.objects.none()
    return (
        LogEntry.objects.filter(audit_scope(user))
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-id")
    )


class ApiDocsView(SpectacularSwaggerView):
    """``/api/docs/``: Swagger UI, whose inline script and style carry the CSP nonce (the policy allows
    no other inline script: without the nonce the page stays blank)."""

    template_name = "core/api_docs.html"


class SchemaView(SpectacularAPIView):
    """``/api/schema/``: the OpenAPI document, generated once per process and language. It is public (the
    same for every user: ``SERVE_PUBLIC``) and changes only with the code, while generating it walks every
    serializer of the API (about a second)."""

    _documents: ClassVar[dict[str, Any]] = {}

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.query_params.get("lang") or translation.get_language() or ""  # as the view picks it
        document = self._documents.get(key)
        if document is None:
            response: Response = super().get(request, *args, **kwargs)  # type: ignore[no-untyped-call]
            if response.status_code != 200:
                return response
            document = self._documents[key] = (response.data, {
                name: response[name] for name in ("Content-Disposition",) if response.has_header(name)})
        data, headers = document
        return Response(data, headers=headers)
