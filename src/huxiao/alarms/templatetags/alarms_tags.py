"""``{% alarm_button unit %}``: the one-click alarm (F-TECH-3) on another app's page (the gate screen),
with the state of an alarm still open today, so the page need not know the alarms' models."""

from __future__ import annotations

from typing import Any

from django import template

from huxiao.alarms.selectors import open_alarm_today
from huxiao.core.models import Unit

register = template.Library()


@register.inclusion_tag("alarms/_button.html", takes_context=True)
def alarm_button(context: Any, unit: Unit) -> dict[str, Any]:
    return {"unit": unit, "open_alarm": open_alarm_today(context["request"].user, unit)}
