from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from huxiao.core.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation for the user's role: only what they may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    if user.role == Role.GUARD:  # a guard at the gate: only what a guard uses, nothing to get lost in
        return {"nav": _mark_active(request, _guard_items())}
    items: list[dict[str, Any]] = [
        {"name": "home", "label": _("Overview"), "icon": "speedometer2", "url": reverse("home")},
    ]
    if user.role in {Role.GUARD, Role.UNIT_ADMIN, Role.TEACHER}:
        items.append({"name": "gate", "label": _("Gate"), "icon": "door-open", "url": reverse("gate-home")})
    items += [
        {"name": "units", "label": _("Units"), "icon": "building", "url": reverse("unit-list")},
        {"name": "compliance", "label": _("Compliance"), "icon": "ui-checks-grid",
         "url": reverse("compliance-matrix")},
        {"name": "visibility", "label": _("Police visibility"), "icon": "eye", "url": reverse("force-visibility")},
    ]
    if user.role in {Role.POLICE, Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE, Role.EDUCATION, Role.SUPERVISOR,
                     Role.UNIT_ADMIN}:
        items.append({"name": "alarm-console", "label": _("Alarm console"), "icon": "broadcast",
                      "url": reverse("alarm-console")})
    if user.role in {Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE, Role.PATROL}:
        items.append({"name": "patrols", "label": _("Patrol teams"), "icon": "people", "url": reverse("patrol-teams")})
    if user.has_perm("core.view_audit"):
        items.append({"name": "audit", "label": _("Audit log"), "icon": "journal-text", "url": reverse("audit-log")})
    items.append({"name": "api", "label": _("API"), "icon": "braces", "url": reverse("api-docs")})
    return {"nav": _mark_active(request, items)}


def _guard_items() -> list[dict[str, Any]]:
    return [
        {"name": "gate-home", "label": _("Gate"), "icon": "door-open", "url": reverse("gate-home")},
        {"name": "gate-pickup", "label": _("Pick-up"), "icon": "people-fill", "url": reverse("gate-pickup")},
        {"name": "gate-visitors", "label": _("Visitors"), "icon": "person-vcard", "url": reverse("gate-visitors")},
        {"name": "gate-board", "label": _("Dismissal board"), "icon": "easel2", "url": reverse("gate-board")},
        {"name": "gate-patrol", "label": _("Patrol round"), "icon": "signpost-split", "url": reverse("gate-patrol")},
    ]


def _mark_active(request: HttpRequest, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    current = (request.resolver_match.url_name if request.resolver_match else "") or ""
    for item in items:
        item["active"] = bool(current) and (
            current == item["name"] or (item["name"] == "units" and current.startswith("unit"))
            or (item["name"] == "audit" and current == "audit-log")
            or (item["name"] == "compliance" and current.startswith("compliance"))
            or (item["name"] == "visibility" and current == "force-visibility")
            or (item["name"] == "patrols" and current == "patrol-teams")
            or (item["name"] == "gate" and current.startswith("gate"))
            or (item["name"] == "gate-pickup" and current.startswith("gate-pickup"))
        )
    return items
