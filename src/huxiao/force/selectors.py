"""Reads of the security force: police visibility (见警率, F-FORCE-2) per unit, officer and week."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.force.models import CheckIn, CheckInRole, PoliceAssignment
from huxiao.timetable.selectors import gate_mode


def visibility_counts(unit_ids: Any, periods: dict[int, tuple[date, date]], now: datetime) -> dict[
        int, tuple[int, int]]:
    """unit → (windows with a police check-in, windows scheduled) over the unit's period [first, last].

    Scheduled: the unit's arrival and dismissal windows on each day of the period that is not a holiday,
    counting today's only once closed. Seen: those of them with a police check-in; the check-in names its
    window (the service matched it), so the database counts them, grouped by window. A fixed number of
    queries (three, plus one per distinct period) for any number of units."""
    from huxiao.timetable.models import Holiday, TimetableWindow

    now = timezone.localtime(now)
    today, clock = now.date(), now.time()
    if not periods:
        return {}
    first_all = min(first for first, _last in periods.values())
    holidays: dict[int, set[date]] = defaultdict(set)
    for unit_id, day in Holiday.objects.filter(unit_id__in=unit_ids, date__gte=first_all,
                                               date__lte=today).values_list("unit_id", "date"):
        holidays[unit_id].add(day)
    # Days per ISO weekday in each period, today excluded (today counts window by window).
    weekday_days: dict[tuple[date, date], dict[str, list[date]]] = {}
    for period in set(periods.values()):
        first, last = period
        days: dict[str, list[date]] = defaultdict(list)
        day = first
        while day <= min(last, today - timedelta(days=1)):
            days[str(day.isoweekday())].append(day)
            day += timedelta(days=1)
        weekday_days[period] = days
    scheduled: dict[int, int] = defaultdict(int)
    today_weekday = str(today.isoweekday())
    for unit_id, weekdays, end in TimetableWindow.objects.filter(
            unit_id__in=unit_ids, kind__in=["arrival", "dismissal"]).values_list("unit_id", "weekdays", "end"):
        unit_period = periods.get(unit_id)
        if unit_period is None:
            continue
        off = holidays.get(unit_id, ())
        days = weekday_days[unit_period]
        scheduled[unit_id] += sum(1 for d in weekdays for day in days.get(d, ()) if day not in off)
        if (unit_period[0] <= today <= unit_period[1] and today_weekday in weekdays and end <= clock
                and today not in off):
            scheduled[unit_id] += 1
    seen: dict[int, int] = defaultdict(int)
    for (first, last), ids in _group(periods).items():
        scope = unit_ids if len(periods) == len(ids) else ids
        checkins = (CheckIn.objects.filter(unit_id__in=scope, role=CheckInRole.POLICE, day__gte=first, day__lte=last,
                                           window__isnull=False, window__kind__in=["arrival", "dismissal"])
                    .exclude(Exists(Holiday.objects.filter(unit_id=OuterRef("unit_id"), date=OuterRef("day"))))
                    .exclude(day=today, window__end__gt=clock))
        for unit_id, n in checkins.order_by().values("unit_id", "window_id").annotate(
                n=Count("day", distinct=True)).values_list("unit_id", "n"):
            seen[unit_id] += n
    return {unit_id: (seen[unit_id], scheduled[unit_id]) for unit_id in periods}


def _group(periods: dict[int, tuple[date, date]]) -> dict[tuple[date, date], list[int]]:
    groups: dict[tuple[date, date], list[int]] = defaultdict(list)
    for unit_id, period in periods.items():
        groups[period].append(unit_id)
    return groups


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
    unit_list = list(units.order_by("code"))
    ids = [u.pk for u in unit_list]
    subquery = units.order_by().values("pk")
    counts = visibility_counts(subquery, dict.fromkeys(ids, (first, last)), now)
    by_unit = [VisibilityRow(str(u.pk), u.display_name, *counts[u.pk], [u]) for u in unit_list]
    # The officer of a unit is the one on duty that week (the latest assignment overlapping it).
    officer_of: dict[int, PoliceAssignment] = {}
    for a in PoliceAssignment.objects.filter(unit_id__in=ids, start_date__lte=last).exclude(
            end_date__lt=first).order_by("unit_id", "-start_date"):
        officer_of.setdefault(a.unit_id, a)
    officers: dict[str, VisibilityRow] = {}
    for row, unit in zip(by_unit, unit_list, strict=True):
        current = officer_of.get(unit.pk)
        key = current.badge_no if current else ""
        label = f"{current.officer_name} ({current.badge_no})" if current else str(_("No duty officer"))
        agg = officers.setdefault(key, VisibilityRow(key, label, 0, 0))
        agg.hit += row.hit
        agg.scheduled += row.scheduled
        agg.units.append(unit)
    trend = []
    for i in range(weeks - 1, -1, -1):
        w_first = first - timedelta(weeks=i)
        w_counts = counts if i == 0 else visibility_counts(
            subquery, dict.fromkeys(ids, (w_first, w_first + timedelta(days=6))), now)
        hit = sum(h for h, _s in w_counts.values())
        scheduled = sum(s for _h, s in w_counts.values())
        trend.append({"week": w_first.isoformat(), "rate": round(100 * hit / scheduled) if scheduled else None})
    total_hit = sum(r.hit for r in by_unit)
    total_scheduled = sum(r.scheduled for r in by_unit)
    return {
        "first": first, "last": last, "by_unit": by_unit,
        "by_officer": sorted(officers.values(), key=lambda r: r.label),
        "trend": trend,
        "total": VisibilityRow("*", "", total_hit, total_scheduled),
    }


def duty_officer(user: Any, unit: Any, day: date) -> PoliceAssignment | None:
    """The police officer assigned to ``unit`` on ``day`` (F-FORCE-1), as ``user`` may see it."""
    return (PoliceAssignment.objects.visible_to(user).filter(unit=unit, start_date__lte=day)
            .exclude(end_date__lt=day).order_by("-start_date").first())


def my_checkin(user: Any, unit: Any, window: Any, day: date) -> CheckIn | None:
    """``user``'s own check-in at ``unit`` in ``window`` on ``day`` (F-FORCE-2), if any."""
    if window is None:
        return None
    return CheckIn.objects.visible_to(user).filter(unit=unit, user=user, window=window, day=day).first()


def gate_tile(user: Any, unit: Any) -> dict[str, Any]:
    """The gate screen's check-in tile: the user's check-in of the arrival or dismissal window open now."""
    mode = gate_mode(unit)
    window = mode.window if mode.mode in {"arrival", "dismissal"} else None
    return {"unit": unit, "checkin": my_checkin(user, unit, window, timezone.localdate())}
