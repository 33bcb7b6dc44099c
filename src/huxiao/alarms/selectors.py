"""Reads of the alarms (STYLE habit 2): every one through ``visible_to``, so a page shows only what its
user may see."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils import timezone

from huxiao.alarms.models import Alarm
from huxiao.core.models import Unit


def open_alarm_today(user: Any, unit: Unit) -> Alarm | None:
    """The unit's latest alarm raised today and not closed, so a reloaded gate screen shows its state."""
    return (Alarm.objects.visible_to(user)
            .filter(unit=unit, closed_at__isnull=True, raised_at__date=timezone.localdate())
            .order_by("-id").first())


def console(user: Any) -> tuple[list[Alarm], list[Alarm]]:
    """The console's two lists: every alarm not closed yet, however old (the latest 100), and those closed
    today (the latest 30), for today's record."""
    visible = Alarm.objects.visible_to(user).select_related("unit").order_by("-id")
    live = list(visible.filter(closed_at__isnull=True)[:100])
    closed = list(visible.filter(closed_at__isnull=False, closed_at__date=timezone.localdate())[:30])
    return live, closed


def alarm_for(user: Any, pk: int) -> Alarm:
    """One alarm the user sees, with what its panel shows; 404 outside the scope, as if missing."""
    return get_object_or_404(Alarm.objects.visible_to(user).select_related(
        "unit", "raised_by", "acknowledged_by", "device"), pk=pk)
