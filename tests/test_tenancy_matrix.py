"""F-CORE scoping: a cross-tenant matrix that discovers every API route and page by itself.

For every URL pattern that takes an object id, every role asks for (and tries to change) an object of an
organisation it must not see: the answer is 404, exactly as if it did not exist, and nothing changes.
For every list, the foreign objects (all marked FOREIGN) never appear. A new endpoint is covered the
day it is added; one whose model the matrix cannot build fails here until a builder is registered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.db import models
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from huxiao.alarms.models import Alarm
from huxiao.buses import models as buses
from huxiao.core.models import Organisation, Unit, User
from huxiao.devices.models import Device
from huxiao.emergency.models import Drill, Plan
from huxiao.force import models as force
from huxiao.gate import models as gate
from huxiao.hazards.models import Hazard, HazardEvent
from huxiao.inspections.models import Inspection, Schedule, Template
from huxiao.notify.models import Notification
from huxiao.risk import models as risk
from huxiao.surroundings import models as surroundings
from tests.conftest import logged_in
from tests.factories import Cast

ROLES = ["admin", "governance", "education", "supervisor", "police", "unit_admin", "guard", "teacher",
         "bus_attendant", "guardian", "patrol", "admin_far"]


@dataclass(frozen=True)
class Route:
    pattern: str
    name: str
    view: Any

    @property
    def takes_pk(self) -> bool:
        return "<int:pk>" in self.pattern or "(?P<pk>" in self.pattern

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    def url(self, pk: int | None = None) -> str:
        path = self.pattern.replace("<int:pk>", str(pk))
        path = re.sub(r"\(\?P<pk>[^)]*\)", str(pk), path)
        return "/" + path.replace("^", "").replace("$", "")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[Route]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield Route(prefix + str(p.pattern), p.name or "", p.callback)


def discover() -> list[Route]:
    routes = [r for r in _walk(get_resolver().url_patterns) if "(?P<format>" not in r.pattern]
    return [r for r in routes if not r.pattern.startswith("i18n/")]


def model_of(route: Route) -> type[models.Model]:
    cls = getattr(route.view, "cls", None) or getattr(route.view, "view_class", None)
    for attr in ("scope_model", "model"):
        model = getattr(cls, attr, None)
        if model is not None:
            return model
    queryset = getattr(cls, "queryset", None)
    if queryset is not None:
        return queryset.model
    serializer = getattr(cls, "serializer_class", None)
    if serializer is not None:
        return serializer.Meta.model
    raise AssertionError(f"{route.pattern}: declare scope_model on the view so the tenancy matrix can test it")


# How to get an object of ``unit`` for each model behind a route (the foreign object of the matrix).
def _foreign_user(cast: Cast, unit: Unit) -> User:
    return User.objects.filter(organisation=unit, role="guard").order_by("username").first()


def _foreign_log(cast: Cast, unit: Unit) -> LogEntry:
    return LogEntry.objects.get_for_object(unit).first()


def _first(model: type[models.Model], **lookup: Any) -> Callable[[Cast, Unit], models.Model]:
    """The cast's own object of ``model`` for the unit (``tests.factories.populate_force`` made one)."""
    def build(cast: Cast, unit: Unit) -> models.Model:
        kwargs = {k: (v(unit) if callable(v) else v) for k, v in lookup.items()} or {"unit": unit}
        obj = model._default_manager.filter(**kwargs).order_by("pk").first()
        assert obj is not None, f"the cast has no {model.__name__} for {unit}"
        return obj
    return build


def _checklist(cast: Cast, unit: Unit) -> Template:
    """Checklists are a sub-district's, shared by its units: unit B's foreign one is the other sub-district's."""
    subdistrict = cast.sd2 if unit.pk == cast.unit_b.pk else unit.subdistrict
    return Template.objects.filter(subdistrict=subdistrict).order_by("pk").first()


BUILDERS: dict[str, Callable[[Cast, Unit], models.Model]] = {
    "core.unit": lambda cast, unit: unit,
    "core.organisation": lambda cast, unit: Organisation.objects.get(pk=unit.pk),
    "core.user": _foreign_user,
    "auditlog.logentry": _foreign_log,
    "force.policeassignment": _first(force.PoliceAssignment),
    "force.legalviceprincipal": _first(force.LegalVicePrincipal),
    "force.lecture": _first(force.Lecture),
    "force.guard": _first(force.Guard),
    "force.equipment": _first(force.Equipment),
    "force.staffmember": _first(force.StaffMember),
    "force.escortduty": _first(force.EscortDuty),
    "force.patrolteam": _first(force.PatrolTeam, community=lambda unit: unit.parent),
    "force.patrolassignment": _first(force.PatrolAssignment),
    "force.policeroom": _first(force.PoliceRoom),
    "force.checkinpoint": _first(force.CheckInPoint),
    "force.checkin": _first(force.CheckIn),
    "gate.visit": _first(gate.Visit),
    "gate.blocklistentry": _first(gate.BlockListEntry),
    "gate.schoolclass": _first(gate.SchoolClass),
    "gate.child": _first(gate.Child),
    "gate.pickupperson": _first(gate.PickupPerson),
    "gate.delegation": _first(gate.Delegation),
    "notify.notification": _first(Notification, unit=lambda unit: unit),
    "alarms.alarm": _first(Alarm),
    "devices.device": _first(Device),
    "emergency.plan": _first(Plan),
    "emergency.drill": _first(Drill),
    "gate.checkpoint": _first(gate.Checkpoint),
    "gate.patrolround": _first(gate.PatrolRound),
    "gate.shift": _first(gate.Shift),
    "gate.handover": _first(gate.Handover),
    "hazards.hazard": _first(Hazard),
    "inspections.inspection": _first(Inspection),
    "inspections.schedule": _first(Schedule),
    "inspections.template": _checklist,
    "hazards.hazardevent": _first(HazardEvent, hazard__unit=lambda unit: unit),
    "buses.bus": _first(buses.Bus),
    "buses.driver": _first(buses.Driver),
    "buses.route": _first(buses.Route),
    "buses.trip": _first(buses.Trip),
    "risk.riskperson": _first(risk.RiskPerson),
    "risk.dispute": _first(risk.Dispute),
    # Premises belong to a sub-district; the cast's are each nearest their own unit (tests.factories).
    "surroundings.premises": _first(surroundings.Premises, nearest_unit=lambda unit: unit),
    "surroundings.campaign": _first(surroundings.Campaign, lead_office=lambda unit: unit.police_station),
    "surroundings.cleanuprecord": _first(surroundings.CleanupRecord, premises__nearest_unit=lambda unit: unit),
    "surroundings.trafficreport": _first(surroundings.TrafficReport),
}


def _log_count(obj: models.Model) -> int:
    return LogEntry.objects.get_for_object(obj).exclude(action=LogEntry.Action.ACCESS).count()


def snapshot(obj: models.Model) -> dict[str, Any]:
    fresh = type(obj).objects.get(pk=obj.pk) if hasattr(type(obj), "objects") else obj
    data = model_to_dict(fresh)
    return {k: v for k, v in data.items() if k not in {"last_login"}}


def client_for(route: Route, user: User) -> Client | APIClient:
    client: Client | APIClient = APIClient() if route.is_api else Client()
    return logged_in(client, user)


WRITE_BODY = {"name": "hacked", "code": "HACKED", "full_name": "hacked", "windows": [], "holidays": []}

OBJECT_ROUTES = [r for r in discover() if r.takes_pk]
# Not lists: the alarm stream never ends (server-sent events; its scope is the same rule, checked in
# test_alarms), and device events answer devices only (people get 401; checked in test_devices).
NOT_LISTS = {"api/v1/alarms/stream/", "api/v1/device-events/"}
LIST_ROUTES = [r for r in discover() if not r.takes_pk and "<" not in r.pattern and r.pattern not in NOT_LISTS]


def test_discovery_finds_the_routes() -> None:
    urls = {r.url(7) for r in OBJECT_ROUTES}
    assert {"/units/7/", "/units/7/edit/", "/api/v1/units/7/", "/api/v1/users/7/", "/api/v1/audit/7/",
            "/api/v1/organisations/7/", "/api/v1/units/7/timetable/"} <= urls


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.pattern)
def test_foreign_object_is_404_for_every_role_and_unchanged(cast: Cast, route: Route) -> None:
    model = model_of(route)
    builder = BUILDERS.get(model._meta.label_lower)
    assert builder is not None, f"register a builder for {model._meta.label_lower} in BUILDERS"
    for role in ROLES:
        user = cast.users[role]
        foreign = builder(cast, cast.foreign_unit_for(user))
        own = builder(cast, cast.own_unit_for(user))
        before = snapshot(foreign)
        logs_before = _log_count(foreign)
        client = client_for(route, user)
        for method in ("get", "post", "put", "patch", "delete"):
            kwargs: dict[str, Any] = {"format": "json"} if route.is_api else {}
            call = getattr(client, method)
            response = call(route.url(foreign.pk), WRITE_BODY, **kwargs) if method != "get" else call(
                route.url(foreign.pk))
            status = response.status_code
            if status == 403:
                own_status = (call(route.url(own.pk), WRITE_BODY, **kwargs) if method != "get"
                              else call(route.url(own.pk))).status_code
                # A 403 is fine only where the role may not use this endpoint at all.
                assert own_status == 403, f"{role} {method.upper()} {route.url(foreign.pk)}: 403 reveals it exists"
                continue
            assert status in {404, 405}, f"{role} {method.upper()} {route.url(foreign.pk)} answered {status}"
            if route.is_api:
                assert response.json()["code"] in {"not_found", "method_not_allowed"}
        assert snapshot(foreign) == before, f"{role} changed a foreign {model.__name__} through {route.pattern}"
        assert _log_count(foreign) == logs_before, f"{role} caused a change on a foreign {model.__name__}"


def _text_of(response: Any) -> str:
    """The text a user reads: a spreadsheet's cells, or the body."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        from io import BytesIO

        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.content), read_only=True)
        return "\n".join(str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row)
    return response.content.decode()


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda r: r.pattern or "/")
def test_lists_never_show_foreign_objects(cast: Cast, route: Route) -> None:
    for role in ROLES:
        user = cast.users[role]
        response = client_for(route, user).get(route.url())
        assert response.status_code in {200, 302, 403, 405}, f"{role} GET {route.url()}: {response.status_code}"
        body = _text_of(response)
        seen = {marker for marker in cast.forbidden_markers(user) if marker in body}
        assert not seen, f"{role} sees {seen} at {route.url()}"
