"""``{% checkin_tile unit %}``: "I am at the gate" (F-FORCE-2) on another app's page (the gate screen), with
the user's check-in of the window open now, so the page need not know the force's models."""

from __future__ import annotations

from typing import Any

from django import template

from huxiao.core.models import Unit
from huxiao.force.selectors import gate_tile

register = template.Library()


@register.inclusion_tag("force/_gate_checkin.html", takes_context=True)
def checkin_tile(context: Any, unit: Unit) -> dict[str, Any]:
    return {**gate_tile(context["request"].user, unit), "csrf_token": context.get("csrf_token")}
