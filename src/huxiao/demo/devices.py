"""Demo technical defence (F-TECH-1): every unit's gate, perimeter wall (and dormitories where it boards)
watched, the alarm button and video networked to the police room, a year ago. A few units break one
device rule each; all of them already fail another rule (demo/force.py), so the failing lists stay as
they are."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from huxiao.core.models import Unit
from huxiao.devices.models import Device, DeviceKind, DeviceLocation

BREAKS = {"K05": "devices.networked", "K07": "devices.coverage", "K09": "devices.deadline",
          "S02": "devices.online"}


def seed_devices(unit: Unit, *, today: date) -> None:
    if Device.objects.filter(unit=unit).exists():
        return
    breaks = BREAKS.get(unit.code, "")
    installed, networked = today - timedelta(days=400), today - timedelta(days=380)
    rows = [
        Device(unit=unit, kind=DeviceKind.CAMERA, location=DeviceLocation.GATE, label="大门摄像机",
               installed_on=installed, networked_on=networked),
        Device(unit=unit, kind=DeviceKind.ALARM_BUTTON, location=DeviceLocation.GATE, label="门卫室一键报警",
               installed_on=installed, networked_on=None if breaks == "devices.networked" else networked),
    ]
    if breaks != "devices.coverage":
        rows.append(Device(unit=unit, kind=DeviceKind.PERIMETER_ALARM, location=DeviceLocation.PERIMETER_WALL,
                           label="围墙周界报警", installed_on=installed, networked_on=networked))
    if unit.boarding:
        rows.append(Device(unit=unit, kind=DeviceKind.CAMERA, location=DeviceLocation.DORMITORY, label="宿舍摄像机",
                           installed_on=installed, networked_on=networked))
    if breaks == "devices.deadline":  # the gate camera was networked two weeks after the deadline
        rows[0].networked_on = date(today.year if today.month > 6 else today.year - 1, 6, 14)
    if breaks == "devices.online":
        silent = timezone.now() - timedelta(hours=2)
        rows[0].last_seen_at, rows[0].offline_since = silent, silent + timedelta(minutes=8)
    Device.objects.bulk_create(rows)
