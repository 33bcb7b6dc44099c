"""Reads of the emergency plans and drills, through ``visible_to``."""

from __future__ import annotations

from typing import Any

from huxiao.core.models import Unit
from huxiao.emergency.models import Plan


def current_plans(user: Any, unit: Unit) -> list[Plan]:
    """The current version of each type of the unit's plans (F-EMRG-1)."""
    plans: dict[str, Plan] = {}
    for plan in Plan.objects.visible_to(user).filter(unit=unit).order_by("type", "-version"):
        plans.setdefault(plan.type, plan)
    return list(plans.values())
