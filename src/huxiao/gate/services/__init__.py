"""Writes of the gate (STYLE habit 2): the timetable, visits, pick-ups and guard duty."""

from huxiao.gate.services.timetable import HolidayData, WindowData, timetable_replace

__all__ = ["HolidayData", "WindowData", "timetable_replace"]
