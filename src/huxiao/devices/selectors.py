"""Reads of the devices, through ``visible_to``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from huxiao.core.models import Unit
from huxiao.devices.models import Device


def devices_of(user: Any, unit: Unit) -> QuerySet[Device]:
    """The unit's devices (F-TECH-1), as ``user`` may see them, in the model's order."""
    return Device.objects.visible_to(user).filter(unit=unit)
