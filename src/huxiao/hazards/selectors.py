"""Reads of hazards, through ``visible_to``."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from huxiao.hazards.models import Hazard, HazardEvent, HazardStatus


def hazards_for(user: Any, *, unit: Any = None, status: str = "", open_only: bool = False) -> QuerySet[Hazard]:
    qs = Hazard.objects.visible_to(user).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit=unit)
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        qs = qs.exclude(status=HazardStatus.CLOSED)
    return qs.order_by("-reported_at", "-id")


def history(user: Any, hazard: Hazard) -> list[HazardEvent]:
    return list(HazardEvent.objects.visible_to(user).filter(hazard=hazard).select_related("actor")
                .order_by("at", "id"))


def counts(user: Any, *, unit: Any = None) -> dict[str, int]:
    """Hazards by status (one query), for the lists' tabs."""
    qs = Hazard.objects.visible_to(user)
    if unit is not None:
        qs = qs.filter(unit=unit)
    row = qs.aggregate(
        **{status: Count("id", filter=Q(status=status)) for status in HazardStatus.values})
    return {k: int(v or 0) for k, v in row.items()}
