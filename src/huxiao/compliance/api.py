"""F-COMP API: ``GET /api/v1/compliance/`` (API.md), the rules, and the sub-district's parameters."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from huxiao.compliance import services
from huxiao.compliance.engine import rules
from huxiao.compliance.models import Result, Status
from huxiao.compliance.registry import PARAMS, render_all
from huxiao.core.api import ScopedQuerysetMixin, actor
from huxiao.core.models import UnitKind


class ResultSerializer(serializers.ModelSerializer[Result]):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    feature = serializers.SerializerMethodField()
    evidence = serializers.SerializerMethodField()
    evidence_lines = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = ["unit", "unit_code", "unit_name", "rule", "feature", "status", "evidence", "evidence_lines",
                  "since", "changed_at"]
        read_only_fields = fields

    def get_feature(self, obj: Result) -> str:
        rule = rules().get(obj.rule)
        return rule.feature if rule else ""

    def get_evidence(self, obj: Result) -> str:
        return " ".join(render_all(obj.evidence))

    def get_evidence_lines(self, obj: Result) -> list[str]:
        return render_all(obj.evidence)


class ResultFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    rule = django_filters.CharFilter()
    kind = django_filters.ChoiceFilter(field_name="unit__kind", choices=UnitKind.choices)
    community = django_filters.NumberFilter(field_name="unit__parent_id")

    class Meta:
        model = Result
        fields = ["unit", "rule", "status", "kind", "community"]


class ComplianceViewSet(ScopedQuerysetMixin, mixins.ListModelMixin, viewsets.GenericViewSet[Result]):
    """Every rule's verdict for every unit the user may see; ``?status=fail`` for what needs doing."""

    queryset = Result.objects.select_related("unit").filter(unit__active=True).order_by("unit__code", "rule")
    serializer_class = ResultSerializer
    filterset_class = ResultFilter


class RuleListView(APIView):
    """The registered rules and what each checks."""

    @extend_schema(responses=inline_serializer("Rule", {
        "code": serializers.CharField(), "feature": serializers.CharField(), "title": serializers.CharField(),
        "fails_when": serializers.CharField()}, many=True))
    def get(self, request: Request) -> Response:
        return Response([{"code": r.code, "feature": r.feature, "title": str(r.title),
                          "fails_when": str(r.fails_when)} for code, r in sorted(rules().items())])


READ_ONLY_KEYS = ("parameters", "editable")


class ParametersView(APIView):
    """The user's sub-district's rule parameters; the sub-district admin PATCHes some of them."""

    @extend_schema(responses=inline_serializer("Parameters", {"values": serializers.DictField()}))
    def get(self, request: Request) -> Response:
        return Response(self._body(request))

    @extend_schema(request=inline_serializer("ParametersPatch", {"values": serializers.DictField()}),
                   responses=inline_serializer("ParametersOut", {"values": serializers.DictField()}))
    def patch(self, request: Request) -> Response:
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            raise serializers.ValidationError({"values": ["Send {\"values\": {\"<parameter>\": <value>}}."]})
        # What the GET answers besides the values (``parameters``, ``editable``) may come back: it is ignored.
        unknown = sorted(set(data) - {"values", *READ_ONLY_KEYS})
        if unknown:
            raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        user = actor(request)
        services.parameters_update(actor=user, subdistrict=user.organisation.subdistrict,  # type: ignore[arg-type]
                                   values=data["values"])
        return Response(self._body(request))

    def _body(self, request: Request) -> dict[str, Any]:
        user = actor(request)
        values = services.parameters_of(user.organisation.subdistrict)  # type: ignore[arg-type]
        return {"values": values, "parameters": [
            {"key": key, "label": str(spec.label), "source": str(spec.source), "default": spec.default,
             "value": values[key], "kind": spec.kind} for key, spec in PARAMS.items()],
            "editable": user.has_perm("compliance.change_parameters", user.organisation.subdistrict)}
