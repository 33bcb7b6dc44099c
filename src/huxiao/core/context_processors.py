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
        return {"nav": [], "nav_bar": []}
    verified = getattr(user, "is_verified", None)  # installed by django-otp's middleware
    if getattr(user, "needs_second_factor", False) and not (verified is not None and verified()):
        # Between the password and the second factor: no page but the second factor's opens yet (F-AUTH).
        return {"nav": [], "nav_bar": [], "second_factor_pending": True}
    if user.role == Role.GUARD:  # a guard at the gate: only what a guard uses, nothing to get lost in
        guard_items = _mark_active(request, _guard_items())
        return {"nav": guard_items, "nav_bar": guard_items}
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
    if user.role in {Role.POLICE, Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE, Role.EDUCATION, Role.SUPERVISOR,
                     Role.UNIT_ADMIN, Role.TEACHER}:
        items.append({"name": "hazard-list", "group": PREVENTION, "label": _("Hazards"), "icon": "exclamation-triangle",
                      "url": reverse("hazard-list")})
        if user.role in {Role.UNIT_ADMIN, Role.EDUCATION, Role.SUBDISTRICT_ADMIN}:
            items.append({"name": "inspections", "group": PREVENTION, "label": _("Inspections"),
                          "icon": "clipboard-check", "url": reverse("inspection-list")})
    if user.role in {Role.POLICE, Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE, Role.EDUCATION, Role.SUPERVISOR,
                     Role.UNIT_ADMIN, Role.TEACHER}:
        items.append({"name": "surroundings", "group": PREVENTION, "label": _("Surroundings"), "icon": "geo-alt",
                      "url": reverse("surroundings-map")})
    if user.role in {Role.UNIT_ADMIN, Role.BUS_ATTENDANT}:
        items.append({"name": "unit-buses", "group": PREVENTION, "label": _("School buses"), "icon": "bus-front",
                      "url": reverse("unit-buses", args=[user.organisation_id])})
    if user.role in {Role.POLICE, Role.GOVERNANCE}:  # F-RISK: the ledger's readers only
        items.append({"name": "risk-ledger", "group": PREVENTION, "label": _("High-risk persons"),
                      "icon": "person-exclamation", "url": reverse("risk-ledger")})
        items.append({"name": "risk-disputes", "group": PREVENTION, "label": _("Disputes"), "icon": "people",
                      "url": reverse("risk-disputes")})
    if user.role in {Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE, Role.PATROL}:
        items.append({"name": "patrols", "label": _("Patrol teams"), "icon": "people", "url": reverse("patrol-teams")})
    if user.has_perm("core.view_audit"):
        items.append({"name": "audit", "label": _("Audit log"), "icon": "journal-text", "url": reverse("audit-log")})
    items.append({"name": "api", "label": _("API"), "icon": "braces", "url": reverse("api-docs")})
    items = _mark_active(request, items)
    return {"nav": items, "nav_bar": _bar(items)}


PREVENTION = "prevention"


def _bar(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The bar: everyday pages, with the prevention pages (inspections, hazards, surroundings, buses) under one
    menu where a role has two or more of them, so the bar fits one line on a 1280 px tablet in English too.
    The audit log and the API docs are in the account menu."""
    grouped = [item for item in items if item.get("group") == PREVENTION]
    bar: list[dict[str, Any]] = []
    for item in items:
        if item["name"] in {"audit", "api"}:
            continue
        if item.get("group") == PREVENTION and len(grouped) > 1:
            if item is grouped[0]:
                bar.append({"name": PREVENTION, "label": _("Prevention"), "icon": "shield-exclamation",
                            "menu": grouped, "active": any(i["active"] for i in grouped)})
            continue
        bar.append(item)
    return bar


def _guard_items() -> list[dict[str, Any]]:
    return [
        {"name": "gate-home", "label": _("Gate"), "icon": "door-open", "url": reverse("gate-home")},
        {"name": "gate-pickup", "label": _("Pick-up"), "icon": "people-fill", "url": reverse("gate-pickup")},
        {"name": "gate-visitors", "label": _("Visitors"), "icon": "person-vcard", "url": reverse("gate-visitors")},
        {"name": "gate-board", "label": _("Dismissal board"), "icon": "easel2", "url": reverse("gate-board")},
        {"name": "gate-patrol", "label": _("Patrol round"), "icon": "signpost-split", "url": reverse("gate-patrol")},
    ]


# A unit's pages that have a navigation item of their own.
OWN_PAGES = {"unit-hazards", "unit-buses", "inspection-unit", "inspection-new", "unit-surroundings"}
SURROUNDINGS_PAGES = {"surroundings-map", "surroundings-premises", "surroundings-traffic", "premises-edit",
                      "unit-surroundings"}


def _mark_active(request: HttpRequest, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    current = (request.resolver_match.url_name if request.resolver_match else "") or ""
    for item in items:
        item["active"] = bool(current) and (
            current == item["name"]
            or (item["name"] == "units" and current.startswith("unit") and current not in OWN_PAGES)
            or (item["name"] == "hazard-list" and current in {"hazard-detail", "unit-hazards"})
            or (item["name"] == "inspections" and current.startswith("inspection"))
            or (item["name"] == "surroundings" and current in SURROUNDINGS_PAGES)
            or (item["name"] == "audit" and current == "audit-log")
            or (item["name"] == "compliance" and current.startswith("compliance"))
            or (item["name"] == "visibility" and current == "force-visibility")
            or (item["name"] == "patrols" and current == "patrol-teams")
            or (item["name"] == "gate" and current.startswith("gate"))
            or (item["name"] == "gate-pickup" and current.startswith("gate-pickup"))
        )
    return items
