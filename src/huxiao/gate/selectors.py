"""Reads of the gate (STYLE habit 2): each through ``visible_to``, so a screen shows only what its user may
see, and each a fixed number of queries whatever the number of children or visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from huxiao.core.models import Unit
from huxiao.gate.models import Child, Release, Shift, Visit, VisitStatus


def on_duty(user: Any, unit: Unit, at: datetime) -> QuerySet[Shift]:
    """The unit's guards whose shift covers ``at`` (F-GATE-4), earliest first."""
    return (Shift.objects.visible_to(user).filter(unit=unit, start__lte=at, end__gt=at)
            .select_related("guard").order_by("start"))


def home_counts(user: Any, unit: Unit, day: date) -> dict[str, int]:
    """The gate home's figures for ``day``: visitors inside and waiting, children gone and on the roll."""
    visits = Visit.objects.visible_to(user).filter(unit=unit, day=day).aggregate(
        inside=Count("pk", filter=Q(status=VisitStatus.ADMITTED)),
        waiting=Count("pk", filter=Q(status=VisitStatus.AWAITING_HOST)))
    return {
        "inside": visits["inside"], "waiting": visits["waiting"],
        "released": Release.objects.visible_to(user).filter(unit=unit, day=day).count(),
        "children": Child.objects.visible_to(user).filter(unit=unit, active=True).count(),
    }
