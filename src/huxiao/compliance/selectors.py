"""Reads of the compliance engine: results, the matrix (units × rules), trends (F-COMP, F-DASH)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils import timezone

from huxiao.compliance.engine import rules
from huxiao.compliance.models import Result, Run, Snapshot
from huxiao.compliance.registry import SEVERITY, Rule
from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, Unit, UnitKind


@dataclass(frozen=True)
class MatrixFilters:
    community: int | None = None
    kind: str = ""
    status: str = ""  # "fail": a failing cell; "warn": a warning; "pass": every cell passes
    rule: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params: Any) -> MatrixFilters:
        community = params.get("community", "")
        kind = params.get("kind", "")
        status = params.get("status", "")
        code = params.get("rule", "")
        from huxiao.core.validators import id_param

        return cls(
            community=id_param(community),
            kind=kind if kind in UnitKind.values else "",
            status=status if status in {"pass", "warn", "fail"} else "",
            rule=code if code in rules() else "",
            q=str(params.get("q", "")).strip()[:60],
        )


def filtered_units(user: Any, f: MatrixFilters) -> Any:
    units = Unit.objects.visible_to(user).filter(active=True)
    if f.community is not None:
        units = units.filter(parent_id=f.community)
    if f.kind:
        units = units.filter(kind=f.kind)
    if f.q:
        units = units.filter(Q(code__icontains=f.q) | Q(name__icontains=f.q) | Q(name_en__icontains=f.q))
    if f.status:
        cells = Result.objects.all()
        if f.rule:
            cells = cells.filter(rule=f.rule)
        if f.status == "pass":
            units = units.exclude(pk__in=cells.exclude(status="pass").values("unit_id"))
        else:
            units = units.filter(pk__in=cells.filter(status=f.status).values("unit_id"))
    return units


@dataclass
class MatrixRow:
    unit: Unit
    cells: list[Result | None]
    worst: str


def matrix(user: Any, f: MatrixFilters, *, page: Any = 1, per_page: int = 50) -> tuple[list[Rule], Page, list[
        MatrixRow], dict[str, dict[str, int]]]:
    """The rules (columns), one page of units (rows) with their verdicts, and per-rule counts over every
    unit the filters select. Four queries whatever the number of units."""
    columns = [r for code, r in sorted(rules().items()) if not f.rule or code == f.rule]
    units = filtered_units(user, f).select_related("parent").order_by("code")
    page_obj = Paginator(units, per_page).get_page(page)
    page_units = list(page_obj.object_list)
    by_key = {(r.unit_id, r.rule): r for r in Result.objects.filter(unit_id__in=[u.pk for u in page_units])}
    rows = []
    for unit in page_units:
        cells = [by_key.get((unit.pk, c.code)) for c in columns]
        worst = max((c.status for c in cells if c is not None), key=SEVERITY.__getitem__, default="pass")
        rows.append(MatrixRow(unit, cells, worst))
    counts: dict[str, dict[str, int]] = {c.code: {"pass": 0, "warn": 0, "fail": 0} for c in columns}
    for code, status, n in Result.objects.filter(unit__in=units.order_by().values("pk"),
                                                 rule__in=[c.code for c in columns]).order_by().values_list(
            "rule", "status").annotate(n=Count("pk")):
        counts[code][status] = n
    return columns, page_obj, rows, counts


def summary(user: Any) -> dict[str, Any]:
    """For the overview: units failing at least one rule, and failing units per rule (two queries)."""
    results = Result.objects.visible_to(user).filter(unit__active=True)
    failing_units = results.filter(status="fail").values("unit_id").distinct().count()
    per_rule = dict(results.filter(status="fail").order_by().values("rule").annotate(n=Count("pk")).values_list(
        "rule", "n"))
    registry = rules()
    rows = [{"code": code, "title": str(r.title), "n": per_rule.get(code, 0)} for code, r in sorted(registry.items())]
    return {"failing_units": failing_units, "rows": rows,
            "chart": {"labels": [r["title"] for r in rows], "values": [r["n"] for r in rows],
                      "codes": [r["code"] for r in rows]}}


def last_run(user: Any) -> Run | None:
    return Run.objects.visible_to(user).filter(full=True).order_by("-started_at").first()


def trend(user: Any, days: int = 30) -> dict[str, list[Any]] | None:
    """Units failing any rule / with a warning, per day, for the sub-district (sub-district roles only)."""
    if user.role not in SUBDISTRICT_WIDE_ROLES:
        return None
    since = timezone.localdate() - timedelta(days=days - 1)
    rows = list(Snapshot.objects.visible_to(user).filter(rule="*", day__gte=since).order_by("day")
                .values_list("day", "failed", "warned", "passed"))
    if not rows:
        return None
    return {"days": [d.isoformat() for d, *_ in rows], "failed": [r[1] for r in rows],
            "warned": [r[2] for r in rows], "passed": [r[3] for r in rows]}
