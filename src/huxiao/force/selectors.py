"""Reads of the security force: police visibility (见警率, F-FORCE-2) per unit, officer and week."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from huxiao.force.models import CheckIn, CheckInRole, PoliceAssignment


@dataclass
class WindowData:
    """Arrival/dismissal windows, holidays and police check-ins of many units over a period."""

    windows: dict[int, list[tuple[str, time, time]]] = field(default_factory=lambda: defaultdict(list))
    holidays: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))
    seen: dict[tuple[int, date], list[time]] = field(default_factory=lambda: defaultdict(list))


def load_window_data(unit_ids: Any, first: date, last: date) -> WindowData:
    """Three queries for any number of units (``unit_ids`` is a subquery or a list)."""
    from huxiao.gate.models import Holiday, TimetableWindow

    data = WindowData()
    for unit_id, weekdays, start, end in TimetableWindow.objects.filter(
            unit_id__in=unit_ids, kind__in=["arrival", "dismissal"]).values_list("unit_id", "weekdays", "start",
                                                                                "end"):
        data.windows[unit_id].append((weekdays, start, end))
    for unit_id, day in Holiday.objects.filter(unit_id__in=unit_ids, date__gte=first, date__lte=last).values_list(
            "unit_id", "date"):
        data.holidays[unit_id].add(day)
    for unit_id, at in CheckIn.objects.filter(unit_id__in=unit_ids, role=CheckInRole.POLICE, day__gte=first,
                                              day__lte=last).values_list("unit_id", "at"):
        local = timezone.localtime(at)
        data.seen[(unit_id, local.date())].append(local.time())
    return data


def visibility_of(data: WindowData, unit_id: int, first: date, last: date, now: datetime) -> tuple[int, int]:
    """(windows with a police check-in, windows scheduled) in [first, last], counting closed windows only."""
    now = timezone.localtime(now)
    hit = scheduled = 0
    day = first
    while day <= min(last, now.date()):
        if day not in data.holidays.get(unit_id, ()):
            weekday = str(day.isoweekday())
            times = data.seen.get((unit_id, day), ())
            for weekdays, start, end in data.windows.get(unit_id, ()):
                if weekday in weekdays and (day < now.date() or end <= now.time()):
                    scheduled += 1
                    hit += any(start <= t < end for t in times)
        day += timedelta(days=1)
    return hit, scheduled


def week_bounds(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass
class VisibilityRow:
    key: str
    label: str
    hit: int
    scheduled: int
    units: list[Any] = field(default_factory=list)

    @property
    def rate(self) -> int | None:
        return round(100 * self.hit / self.scheduled) if self.scheduled else None


def visibility_report(units: Any, week_of: date, *, weeks: int = 8, now: datetime | None = None) -> dict[str, Any]:
    """Per unit and per duty officer for the week of ``week_of``, and the weekly rate of the ``weeks``
    weeks up to it (the chart). A fixed number of queries whatever the number of units."""
    now = now or timezone.now()
    first, last = week_bounds(week_of)
    trend_first = first - timedelta(weeks=weeks - 1)
    unit_list = list(units.order_by("code"))
    ids = [u.pk for u in unit_list]
    data = load_window_data(units.order_by().values("pk"), trend_first, last)
    by_unit = []
    for unit in unit_list:
        hit, scheduled = visibility_of(data, unit.pk, first, last, now)
        by_unit.append(VisibilityRow(str(unit.pk), unit.display_name, hit, scheduled, [unit]))
    # The officer of a unit is the one on duty that week (the assignment covering its Monday or later).
    officers: dict[str, VisibilityRow] = {}
    assignments = PoliceAssignment.objects.filter(unit_id__in=ids, start_date__lte=last).exclude(
        end_date__lt=first).order_by("unit_id", "-start_date")
    officer_of: dict[int, PoliceAssignment] = {}
    for a in assignments:
        officer_of.setdefault(a.unit_id, a)
    for row, unit in zip(by_unit, unit_list, strict=True):
        current = officer_of.get(unit.pk)
        key = current.badge_no if current else ""
        label = f"{current.officer_name} ({current.badge_no})" if current else "—"
        agg = officers.setdefault(key, VisibilityRow(key, label, 0, 0))
        agg.hit += row.hit
        agg.scheduled += row.scheduled
        agg.units.append(unit)
    trend = []
    for i in range(weeks):
        w_first = trend_first + timedelta(weeks=i)
        w_last = w_first + timedelta(days=6)
        hit = scheduled = 0
        for unit_id in ids:
            h, s = visibility_of(data, unit_id, w_first, w_last, now)
            hit, scheduled = hit + h, scheduled + s
        trend.append({"week": w_first.isoformat(), "rate": round(100 * hit / scheduled) if scheduled else None})
    total_hit = sum(r.hit for r in by_unit)
    total_scheduled = sum(r.scheduled for r in by_unit)
    return {
        "first": first, "last": last, "by_unit": by_unit,
        "by_officer": sorted(officers.values(), key=lambda r: r.label),
        "trend": trend,
        "total": VisibilityRow("*", "", total_hit, total_scheduled),
    }
