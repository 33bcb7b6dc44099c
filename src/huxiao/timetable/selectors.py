"""Reads of the timetable (F-GATE-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huxiao.core.models import Unit
from huxiao.timetable.models import Holiday, TimetableWindow, WindowKind

MODE_LABELS = {
    "closed_day": _("No school today"),
    "class_hours": _("Class hours: campus closed"),
    "arrival": _("Arrival"),
    "dismissal": _("Dismissal"),
    "open": _("Outside class hours"),
}


@dataclass(frozen=True)
class GateMode:
    """What the gate should do right now."""

    mode: str  # "closed_day" | "class_hours" | "arrival" | "dismissal" | "open"
    window: TimetableWindow | None

    @property
    def label(self) -> str:
        return str(MODE_LABELS[self.mode])


def windows_on(unit: Unit, day: date) -> list[TimetableWindow]:
    """The unit's windows on ``day``; none on a holiday."""
    if Holiday.objects.filter(unit=unit, date=day).exists():
        return []
    weekday = day.isoweekday()
    return [w for w in unit.timetable_windows.all() if w.applies_on(weekday)]


# The day's dismissal windows per unit, kept for a minute in each process: the pick-up's hot path asks for
# them on every release. ``forget_windows`` drops a unit's entries when its timetable changes here; other
# processes see the change within the minute.
_DISMISSALS: dict[tuple[int, date], tuple[float, list[tuple[int, time, time]]]] = {}
_DISMISSALS_TTL = 60.0


def _dismissals(unit_id: int, day: date) -> list[tuple[int, time, time]]:
    """[(window id, start, end)] of the unit's dismissal windows on ``day``, by start; none on a holiday."""
    import time as clock

    from django.db.models import Exists, OuterRef

    key = (unit_id, day)
    cached = _DISMISSALS.get(key)
    if cached is not None and cached[0] > clock.monotonic():
        return cached[1]
    weekday = str(day.isoweekday())
    rows = list(TimetableWindow.objects.filter(unit_id=unit_id, kind=WindowKind.DISMISSAL).annotate(
        off=Exists(Holiday.objects.filter(unit_id=OuterRef("unit_id"), date=day))).order_by("start").values_list(
        "pk", "weekdays", "start", "end", "off"))
    windows = [] if any(off for *_rest, off in rows) else [(pk, start, end) for pk, days, start, end, _off in rows
                                                           if weekday in days]
    if len(_DISMISSALS) > 10_000:
        _DISMISSALS.clear()
    _DISMISSALS[key] = (clock.monotonic() + _DISMISSALS_TTL, windows)
    return windows


def dismissal_windows(unit_id: int, day: date) -> list[tuple[int, time]]:
    """[(window id, end)] of the unit's dismissal windows on ``day``, by start; none on a holiday."""
    return [(pk, end) for pk, _start, end in _dismissals(unit_id, day)]


def dismissal_open(unit_id: int, at: datetime) -> bool:
    """Whether a dismissal window of the unit is open at ``at`` (local time): a release outside one is an
    early pick-up, which the guard confirms first (F-GATE-2)."""
    at = timezone.localtime(at)
    now = at.time()
    return any(start <= now < end for _pk, start, end in _dismissals(unit_id, at.date()))


def forget_windows(unit_id: int) -> None:
    for key in [k for k in _DISMISSALS if k[0] == unit_id]:
        _DISMISSALS.pop(key, None)


def gate_mode(unit: Unit, at: datetime | None = None) -> GateMode:
    at = timezone.localtime(at or timezone.now())
    windows = windows_on(unit, at.date())
    if not windows:
        return GateMode("closed_day", None)
    now = at.time()
    # Arrival and dismissal win over class hours where they overlap: the gate is busy then.
    for kind in (WindowKind.ARRIVAL, WindowKind.DISMISSAL, WindowKind.CLASS):
        for window in windows:
            if window.kind == kind and window.start <= now < window.end:
                return GateMode("class_hours" if kind == WindowKind.CLASS else str(kind), window)
    return GateMode("open", None)
