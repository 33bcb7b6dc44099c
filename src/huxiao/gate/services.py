"""Writes of the timetable (F-GATE-3)."""

from __future__ import annotations

from datetime import date, time
from typing import TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from huxiao.core.models import Unit, User
from huxiao.gate.models import ISO_WEEKDAYS, Holiday, TimetableWindow


class WindowData(TypedDict, total=False):
    kind: str
    weekdays: str
    start: time
    end: time
    label: str


class HolidayData(TypedDict):
    date: date
    name: str


def _check_windows(windows: list[WindowData]) -> None:
    errors: dict[str, list[str]] = {}
    for i, window in enumerate(windows):
        problems = []
        weekdays = window.get("weekdays", "12345")
        if not weekdays or any(ch not in ISO_WEEKDAYS for ch in weekdays) or len(set(weekdays)) != len(weekdays):
            problems.append(_("Weekdays are digits 1 (Monday) to 7 (Sunday), each at most once."))
        if window["end"] <= window["start"]:
            problems.append(_("A window must end after it starts."))
        if problems:
            errors[f"windows[{i}]"] = problems
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def timetable_replace(
    *, actor: User, unit: Unit, windows: list[WindowData], holidays: list[HolidayData]
) -> None:
    """Replace the unit's whole timetable at once: the gate never sees half an edit."""
    if not actor.has_perm("core.change_timetable", unit):
        raise PermissionDenied
    _check_windows(windows)
    dates = [h["date"] for h in holidays]
    if len(set(dates)) != len(dates):
        raise ValidationError({"holidays": [_("Each date may be listed once.")]})
    TimetableWindow.objects.filter(unit=unit).delete()
    Holiday.objects.filter(unit=unit).delete()
    # Row by row, not bulk_create: each row gets its audit entry (F-AUDIT); a timetable is a few rows.
    for w in windows:
        fields = {k: v for k, v in w.items() if k != "weekdays"}
        TimetableWindow.objects.create(unit=unit, weekdays="".join(sorted(w.get("weekdays", "12345"))), **fields)
    for h in holidays:
        Holiday.objects.create(unit=unit, **h)
