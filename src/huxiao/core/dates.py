"""Dates of the sub-district's calendar (Asia/Shanghai), shared by every app: ages on a day, birthdays in
a year. Pure functions of dates; the day itself comes from ``timezone.localdate()``, never the server's."""

from __future__ import annotations

import calendar
from datetime import date


def age_on(born: date, day: date) -> int:
    """Whole years from ``born`` to ``day``: 55 on the 55th birthday, 54 the day before."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def birthday_in(born: date, year: int) -> date:
    """The birthday in ``year``; a 29 February birthday falls on 1 March in a common year."""
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return born.replace(year=year)
