"""Reads of the timetable (F-GATE-3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from huxiao.core.models import Unit
from huxiao.gate.models import Holiday, TimetableWindow, WindowKind

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
