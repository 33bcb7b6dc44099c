"""Writes of the timetable (F-GATE-3)."""

from __future__ import annotations

from datetime import date, time
from typing import TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from huxiao.core.models import Unit, User
from huxiao.timetable.models import ISO_WEEKDAYS, Holiday, TimetableWindow


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
    if not actor.has_perm("timetable.change_timetable", unit):
        raise PermissionDenied
    _check_windows(windows)
    dates = [h["date"] for h in holidays]
    if len(set(dates)) != len(dates):
        raise ValidationError({"holidays": [_("Each date may be listed once.")]})
    # Windows that stay the same (kind, days and times) keep their rows: escort duties, patrol assignments
    # and check-ins point at them, and a new label must not cut that history. Row by row, not in bulk:
    # each change gets its audit entry (F-AUDIT); a timetable is a few rows.
    kept = {(w.kind, w.weekdays, w.start, w.end): w for w in TimetableWindow.objects.filter(unit=unit)}
    for data in windows:
        weekdays = "".join(sorted(data.get("weekdays", "12345")))
        key = (data["kind"], weekdays, data["start"], data["end"])
        existing = kept.pop(key, None)
        if existing is None:
            TimetableWindow.objects.create(unit=unit, kind=data["kind"], weekdays=weekdays, start=data["start"],
                                           end=data["end"], label=data.get("label", ""))
        elif existing.label != data.get("label", ""):
            existing.label = data.get("label", "")
            existing.save(update_fields=["label"])
    for gone in kept.values():
        gone.delete()
    old_holidays = {h.date: h for h in Holiday.objects.filter(unit=unit)}
    for data_h in holidays:
        holiday = old_holidays.pop(data_h["date"], None)
        if holiday is None:
            Holiday.objects.create(unit=unit, **data_h)
        elif holiday.name != data_h["name"]:
            holiday.name = data_h["name"]
            holiday.save(update_fields=["name"])
    for gone_h in old_holidays.values():
        gone_h.delete()
    from huxiao.compliance.engine import refresh_unit
    from huxiao.timetable.selectors import forget_windows

    forget_windows(unit.pk)

    refresh_unit(unit.pk)  # visibility counts against the timetable
