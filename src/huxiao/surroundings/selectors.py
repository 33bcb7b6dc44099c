"""Reads of the surroundings, through ``visible_to``: premises with their violation (one query for the
sub-districts' parameters, whatever the number of rows), the units a premises is measured against, the map."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse

from huxiao.core.models import Unit
from huxiao.surroundings.geo import Campus
from huxiao.surroundings.models import Campaign, CleanupRecord, Premises, PremisesStatus, TrafficReport
from huxiao.surroundings.rules import RADIUS, RESTRICTED


@dataclass(frozen=True)
class Limits:
    """A sub-district's rule parameters for premises: which kinds are restricted, within how many metres."""

    kinds: frozenset[str]
    radius_m: int


def limits_of(subdistrict_ids: Iterable[int]) -> dict[int, Limits]:
    """The limits of each sub-district (one query): their own parameters, else FEATURES.md §4's defaults."""
    from huxiao.compliance.models import RuleParameter

    ids = set(subdistrict_ids)
    values: dict[int, dict[str, Any]] = {sd: {} for sd in ids}
    for sd, key, value in RuleParameter.objects.filter(subdistrict_id__in=ids, key__in=[RADIUS.key, RESTRICTED.key]
                                                       ).values_list("subdistrict_id", "key", "value"):
        values[sd][key] = value
    return {sd: Limits(frozenset(v.get(RESTRICTED.key, RESTRICTED.default)), int(v.get(RADIUS.key, RADIUS.default)))
            for sd, v in values.items()}


def violates(*, kind: str, distance_m: float | None, status: str, limits: Limits) -> bool:
    """A restricted kind, operating (not closed or relocated), within the radius of its nearest campus. The
    rule (``rules.premises_restricted``) and every list say it with this one function."""
    return (kind in limits.kinds and status == PremisesStatus.OPERATING and distance_m is not None
            and distance_m <= limits.radius_m)


def mark_violations(premises: Iterable[Premises]) -> list[Premises]:
    """Set ``violation`` on each premises of a page or list (one query for all of them)."""
    rows = list(premises)
    limits = limits_of({p.subdistrict_id for p in rows})
    for p in rows:
        p.violation = violates(kind=p.kind, distance_m=p.distance_m, status=p.status,  # type: ignore[attr-defined]
                               limits=limits[p.subdistrict_id])
    return rows


def premises_for(user: Any) -> QuerySet[Premises]:
    return Premises.objects.visible_to(user).select_related("nearest_unit")


def campuses(subdistrict_id: int) -> list[Campus]:
    """Every active, located unit of the sub-district, as ``geo`` measures it (one query)."""
    return [Campus(row[0], row[1], row[2], row[3]) for row in Unit.objects.filter(
        subdistrict_id=subdistrict_id, active=True).order_by("pk").values_list("pk", "lat", "lng", "boundary")]


def records_for(user: Any, premises: Premises) -> QuerySet[CleanupRecord]:
    return (CleanupRecord.objects.visible_to(user).filter(premises=premises)
            .select_related("campaign", "recorded_by").order_by("-date", "-id"))


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user).select_related("lead_office").order_by("-starts_on", "-id")


def traffic_for(user: Any) -> QuerySet[TrafficReport]:
    return TrafficReport.objects.visible_to(user).select_related("unit", "hazard").order_by("-observed_at", "-id")


def campus_outlines(user: Any) -> list[dict[str, Any]]:
    """The located units the user sees, as the premises form's map draws them (one query)."""
    return [{"name": u.display_name, "lat": u.lat, "lng": u.lng, "boundary": u.boundary or None}
            for u in Unit.objects.visible_to(user).filter(active=True, lat__isnull=False, lng__isnull=False)
            .order_by("code").only("pk", "name", "name_en", "lat", "lng", "boundary")]


def map_data(user: Any, unit: Unit | None = None) -> dict[str, Any]:
    """What the map draws and the list beside it shows (a fixed number of queries): the units the user sees
    (points and boundaries), the premises they see with their violation (only those nearest ``unit`` when one
    is given), and the radius of the user's sub-district (the outline drawn round each campus)."""
    units = list(Unit.objects.visible_to(user).filter(active=True).order_by("code")
                 .only("pk", "code", "name", "name_en", "kind", "lat", "lng", "boundary"))
    rows = premises_for(user).order_by("distance_m", "name", "id")
    if unit is not None:
        rows = rows.filter(nearest_unit=unit)
    premises = mark_violations(rows)
    own = limits_of([user.organisation.subdistrict_id])[user.organisation.subdistrict_id]
    return {
        "radius_m": own.radius_m,
        "focus": unit.pk if unit is not None else None,
        "units": [{"id": u.pk, "code": u.code, "name": u.display_name, "kind": u.kind, "lat": u.lat, "lng": u.lng,
                   "boundary": u.boundary or None, "url": reverse("unit-surroundings", args=[u.pk])}
                  for u in units if u.lat is not None and u.lng is not None],
        "premises": [{"id": p.pk, "name": p.name, "kind": p.kind, "kind_label": str(p.get_kind_display()),
                      "lat": p.lat, "lng": p.lng, "status": p.status, "status_label": str(p.get_status_display()),
                      "distance_m": None if p.distance_m is None else round(p.distance_m),
                      "unit": p.nearest_unit.display_name if p.nearest_unit else "",
                      "violation": p.violation}  # type: ignore[attr-defined]
                     for p in premises],
        "rows": premises,
    }
