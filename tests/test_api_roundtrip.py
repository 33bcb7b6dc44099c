"""F-API (issue #11, "trust what exists"): what the API answers, it takes back.

The OpenAPI schema is walked for every writable resource: every path with a GET and a POST (a list), a PUT or a
PATCH (an object, or a unit's timetable, or the rule parameters). For each, an object the cast can see is read
and its GET body is sent back as it is: POSTed to the list (a new object, with only its unique fields changed
so that it is not a real duplicate) and PUT/PATCHed to the object. Read-only fields (``id``, ``*_masked``,
``*_name``, computed values) are accepted and ignored; a refusal is a test failure, whatever field it names.

Write-only secrets are the one thing a GET body cannot carry back: where a POST requires one (``id_number``
of a visit, a block-list entry, a pick-up person or a delegation; a new account's ``password``), the builder
adds it, and says so (``secrets``).

Every path the schema offers must have a builder in ``BUILDERS``: a new writable resource fails
``test_every_writable_resource_has_a_builder`` until one is added.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from huxiao.core.models import Role, User
from huxiao.demo.force import resident_id
from tests.factories import PASSWORD, Cast, UserFactory


def _schema() -> dict[str, Any]:
    logging.getLogger("drf_spectacular").setLevel(logging.ERROR)
    return SchemaGenerator().get_schema(request=None, public=True)


SCHEMA = _schema()
WRITE_METHODS = ("post", "put", "patch")


def writable_operations() -> list[tuple[str, str]]:
    """(method, path) of every list path with a POST and every object path with a PUT or a PATCH: the
    paths that also answer a GET, so that what they answer can be sent back. Actions (``/{id}/checkout/``,
    ``/pickups/``, ``/device-events/``) have no GET: they are not resources."""
    return [(method, path) for path, ops in SCHEMA["paths"].items() if "get" in ops
            for method in WRITE_METHODS if method in ops]


def today() -> date:
    return timezone.localdate()


# --- the builders ----------------------------------------------------------------------------------------

Body = dict[str, Any]


@dataclass
class Builder:
    """How to round-trip one resource: who writes it, which object of the cast is read (its detail URL), and
    what a POST must change so that the copy is not a real duplicate (``tweak``; never a removal)."""

    role: str
    url: Callable[[Cast], str]
    tweak: Callable[[Body, Cast], Body] = field(default=lambda body, cast: body)
    secrets: tuple[str, ...] = ()  # write-only fields the tweak adds because a GET body cannot carry them
    expect: tuple[int, ...] = (200, 201)
    setup: Callable[[Cast], None] = field(default=lambda cast: None)  # what must hold for a real write


def first(model: str, **filters: Any) -> Callable[[Cast], int]:
    """The pk of the first ``model`` row (``app.Model``) matching ``filters`` (values may take the cast)."""
    from django.apps import apps

    def pk(cast: Cast) -> int:
        values = {k: (v(cast) if callable(v) else v) for k, v in filters.items()}
        return int(apps.get_model(model).objects.filter(**values).order_by("pk").values_list("pk", flat=True)[0])

    return pk


def detail(collection: str, pk: Callable[[Cast], int]) -> Callable[[Cast], str]:
    return lambda cast: f"/api/v1/{collection}/{pk(cast)}/"


def unit_a(cast: Cast) -> int:
    return cast.unit_a.pk


def changed(**values: Any) -> Callable[[Body, Cast], Body]:
    """Fields a POST must change (values may take the body and the cast)."""
    def tweak(body: Body, cast: Cast) -> Body:
        return {**body, **{k: (v(body, cast) if callable(v) else v) for k, v in values.items()}}

    return tweak


def second_guard(cast: Cast) -> int:
    """The guard who takes over a handover: someone other than the cast's guard."""
    user = User.objects.filter(organisation=cast.unit_a, role=Role.GUARD).exclude(pk=cast.users["guard"].pk).first()
    return (user or UserFactory(username="ka-guard-2", role=Role.GUARD, organisation=cast.unit_a)).pk


def window_now(cast: Cast) -> None:
    """A check-in counts only inside an arrival or dismissal window: one that spans the whole day, today."""
    from datetime import time

    from huxiao.timetable.models import TimetableWindow

    TimetableWindow.objects.create(unit=cast.unit_a, kind="arrival", weekdays="1234567", start=time(0, 0),
                                   end=time(23, 59, 59))


def dismissal_window(cast: Cast) -> None:
    """A second window of the unit: a copy of a rota row is for another window (one row per window)."""
    from datetime import time

    from huxiao.timetable.models import TimetableWindow

    TimetableWindow.objects.create(unit=cast.unit_a, kind="dismissal", weekdays="12345", start=time(16, 0),
                                   end=time(17, 0))


def the_dismissal_window(body: Body, cast: Cast) -> int:
    return int(cast.unit_a.timetable_windows.get(kind="dismissal").pk)


def later(days: int) -> Callable[[Body, Cast], str]:
    return lambda body, cast: (today() + timedelta(days=days)).isoformat()


def shifted(name: str, days: int) -> Callable[[Body, Cast], str]:
    from datetime import datetime

    return lambda body, cast: (datetime.fromisoformat(body[name]) + timedelta(days=days)).isoformat()


BUILDERS: dict[tuple[str, str], Builder] = {
    # core
    ("post", "/api/v1/units/"): Builder("admin", lambda c: f"/api/v1/units/{c.unit_a.pk}/",
                                        changed(code="RT-KA")),
    ("patch", "/api/v1/units/{id}/"): Builder("unit_admin", lambda c: f"/api/v1/units/{c.unit_a.pk}/"),
    ("put", "/api/v1/units/{id}/timetable/"): Builder("unit_admin",
                                                     lambda c: f"/api/v1/units/{c.unit_a.pk}/timetable/"),
    ("post", "/api/v1/users/"): Builder("admin", lambda c: f"/api/v1/users/{c.users['guard'].pk}/",
                                        changed(username="rt-new-guard", password=PASSWORD), secrets=("password",)),
    ("patch", "/api/v1/users/{id}/"): Builder("admin", lambda c: f"/api/v1/users/{c.users['guard'].pk}/"),
    ("patch", "/api/v1/compliance/parameters/"): Builder("admin", lambda c: "/api/v1/compliance/parameters/"),
    # force
    ("post", "/api/v1/police-assignments/"): Builder(
        "police", detail("police-assignments", first("force.PoliceAssignment", unit=unit_a)),
        changed(start_date=later(0), badge_no="RT0001")),
    ("post", "/api/v1/legal-vice-principals/"): Builder(
        "admin", detail("legal-vice-principals", first("force.LegalVicePrincipal", unit=unit_a)),
        changed(start_date=later(0))),
    ("post", "/api/v1/lectures/"): Builder("unit_admin", detail("lectures", first("force.Lecture", unit=unit_a))),
    ("post", "/api/v1/guards/"): Builder("unit_admin", detail("guards", first("force.Guard", unit=unit_a))),
    ("patch", "/api/v1/guards/{id}/"): Builder("unit_admin", detail("guards", first("force.Guard", unit=unit_a))),
    ("post", "/api/v1/equipment/"): Builder("unit_admin", detail("equipment", first("force.Equipment", unit=unit_a)),
                                            changed(kind="helmet")),  # one row per kind: another kind
    ("patch", "/api/v1/equipment/{id}/"): Builder("unit_admin",
                                                  detail("equipment", first("force.Equipment", unit=unit_a))),
    ("post", "/api/v1/staff-members/"): Builder("unit_admin",
                                                detail("staff-members", first("force.StaffMember", unit=unit_a))),
    ("patch", "/api/v1/staff-members/{id}/"): Builder(
        "unit_admin", detail("staff-members", first("force.StaffMember", unit=unit_a))),
    ("post", "/api/v1/escort-duties/"): Builder("unit_admin",
                                                detail("escort-duties", first("force.EscortDuty", unit=unit_a)),
                                                changed(window=the_dismissal_window), setup=dismissal_window),
    ("post", "/api/v1/patrol-teams/"): Builder("admin", detail("patrol-teams", first(
        "force.PatrolTeam", community=lambda c: c.c1)), changed(name="RT-patrol")),
    ("post", "/api/v1/patrol-assignments/"): Builder(
        "admin", detail("patrol-assignments", first("force.PatrolAssignment", unit=unit_a)),
        changed(window=the_dismissal_window), setup=dismissal_window),
    ("post", "/api/v1/police-rooms/"): Builder("unit_admin",
                                               detail("police-rooms", first("force.PoliceRoom", unit=unit_a))),
    ("post", "/api/v1/checkin-points/"): Builder("unit_admin",
                                                 detail("checkin-points", first("force.CheckInPoint", unit=unit_a)),
                                                 changed(name="RT-gate")),
    ("post", "/api/v1/check-ins/"): Builder("police", detail("check-ins", first("force.CheckIn", unit=unit_a)),
                                            setup=window_now),
    # gate
    # The unit admin: a guard cannot name the host (see test_a_guard_names_a_teacher_as_the_host).
    ("post", "/api/v1/visits/"): Builder("guard", detail("visits", first("gate.Visit", unit=unit_a)),
                                         changed(id_number=resident_id(date(1972, 2, 2))), secrets=("id_number",)),
    ("post", "/api/v1/block-list/"): Builder("unit_admin", detail("block-list", first("gate.BlockListEntry",
                                                                                     unit=unit_a)),
                                             changed(id_number=resident_id(date(1976, 6, 6))), secrets=("id_number",)),
    ("post", "/api/v1/classes/"): Builder("unit_admin", detail("classes", first("gate.SchoolClass", unit=unit_a)),
                                          changed(name="RT-大二班")),
    ("post", "/api/v1/children/"): Builder("unit_admin", detail("children", first("gate.Child", unit=unit_a))),
    ("post", "/api/v1/pickup-persons/"): Builder(
        "unit_admin", detail("pickup-persons", first("gate.PickupPerson", unit=unit_a)),
        changed(id_number=resident_id(date(1988, 8, 8))), secrets=("id_number",)),
    ("post", "/api/v1/delegations/"): Builder(
        "unit_admin", detail("delegations", first("gate.Delegation", unit=unit_a)),
        # The cast's delegation is for a day now past: the copy is for tomorrow.
        changed(id_number=resident_id(date(1986, 9, 9)), date=later(1)), secrets=("id_number",)),
    ("post", "/api/v1/checkpoints/"): Builder("unit_admin", detail("checkpoints", first("gate.Checkpoint",
                                                                                       unit=unit_a))),
    ("post", "/api/v1/shifts/"): Builder("unit_admin", detail("shifts", first("gate.Shift", unit=unit_a)),
                                         changed(start=shifted("start", 1), end=shifted("end", 1))),  # no overlap
    ("post", "/api/v1/handovers/"): Builder("guard", detail("handovers", first("gate.Handover", unit=unit_a)),
                                            changed(to_guard=lambda body, cast: second_guard(cast))),
    # alarms, devices, emergency
    ("post", "/api/v1/alarms/"): Builder("guard", detail("alarms", first("alarms.Alarm", unit=unit_a))),
    ("post", "/api/v1/devices/"): Builder("unit_admin", detail("devices", first("devices.Device", unit=unit_a))),
    ("patch", "/api/v1/devices/{id}/"): Builder("unit_admin", detail("devices", first("devices.Device", unit=unit_a))),
    ("post", "/api/v1/plans/"): Builder("unit_admin", detail("plans", first("emergency.Plan", unit=unit_a))),
    ("post", "/api/v1/drills/"): Builder("unit_admin", detail("drills", first("emergency.Drill", unit=unit_a))),
    # hazards
    ("post", "/api/v1/hazards/"): Builder("unit_admin", detail("hazards", first("hazards.Hazard", unit=unit_a))),
    ("post", "/api/v1/inspection-schedules/"): Builder(
        "unit_admin", detail("inspection-schedules", first("inspections.Schedule", unit=unit_a))),
    ("post", "/api/v1/inspections/"): Builder("unit_admin", detail("inspections",
                                                                   first("inspections.Inspection", unit=unit_a))),
    # buses
    ("post", "/api/v1/buses/"): Builder("unit_admin", detail("buses", first("buses.Bus", unit=unit_a)),
                                        changed(plate="浙A·RT001")),  # one row per plate and unit
    ("patch", "/api/v1/buses/{id}/"): Builder("unit_admin", detail("buses", first("buses.Bus", unit=unit_a))),
    ("post", "/api/v1/bus-drivers/"): Builder("unit_admin", detail("bus-drivers", first("buses.Driver", unit=unit_a)),
                                              changed(licence_file_no="330100999999")),
    ("patch", "/api/v1/bus-drivers/{id}/"): Builder("unit_admin",
                                                    detail("bus-drivers", first("buses.Driver", unit=unit_a))),
    ("post", "/api/v1/bus-routes/"): Builder("unit_admin", detail("bus-routes", first("buses.Route", unit=unit_a)),
                                             changed(name="RT-route")),
    ("patch", "/api/v1/bus-routes/{id}/"): Builder("unit_admin",
                                                   detail("bus-routes", first("buses.Route", unit=unit_a))),
    ("post", "/api/v1/bus-trips/"): Builder("unit_admin", detail("bus-trips", first("buses.Trip", unit=unit_a)),
                                            changed(date=later(1))),  # the same bus at the same time: another day
    ("patch", "/api/v1/bus-trips/{id}/"): Builder("unit_admin", detail("bus-trips", first("buses.Trip", unit=unit_a))),
    # surroundings
    ("post", "/api/v1/premises/"): Builder("police", detail("premises", first("surroundings.Premises",
                                                                              nearest_unit=unit_a)),
                                           changed(name="RT-网吧")),
    ("patch", "/api/v1/premises/{id}/"): Builder("police", detail("premises", first("surroundings.Premises",
                                                                                    nearest_unit=unit_a))),
    ("post", "/api/v1/cleanup-campaigns/"): Builder(
        "governance", detail("cleanup-campaigns", first("surroundings.Campaign", lead_office=lambda c: c.ps))),
    ("post", "/api/v1/cleanup-records/"): Builder(
        "police", detail("cleanup-records", first("surroundings.CleanupRecord", premises__nearest_unit=unit_a))),
    ("post", "/api/v1/traffic-reports/"): Builder("guard", detail("traffic-reports", first(
        "surroundings.TrafficReport", unit=unit_a))),
    # F-RISK-1/2: the police officer of unit A's station keeps its ledger; a new person needs the first
    # assessment's basis, which the GET of a person does not carry.
    ("post", "/api/v1/risk-persons/"): Builder(
        "police", detail("risk-persons", first("risk.RiskPerson", unit=unit_a)),
        changed(id_number=resident_id(date(1979, 7, 7)), basis="RT-依据"), secrets=("id_number", "basis")),
    ("patch", "/api/v1/risk-persons/{id}/"): Builder("police", detail("risk-persons",
                                                                      first("risk.RiskPerson", unit=unit_a))),
    ("post", "/api/v1/disputes/"): Builder("police", detail("disputes", first("risk.Dispute", unit=unit_a)),
                                           changed(title="RT-纠纷")),
}


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def read(cast: Cast, builder: Builder) -> tuple[APIClient, str, Body]:
    builder.setup(cast)
    client = client_for(cast.users[builder.role])
    url = builder.url(cast)
    response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    return client, url, response.json()


def send(client: APIClient, method: str, url: str, body: Body) -> Any:
    return getattr(client, method)(url, body, format="json")


# --- the tests -------------------------------------------------------------------------------------------

def test_every_writable_resource_has_a_builder() -> None:
    missing = [f"{method.upper()} {path}" for method, path in writable_operations() if (method, path) not in BUILDERS]
    assert not missing, (
        "writable API resources without a round-trip builder in tests/test_api_roundtrip.py BUILDERS: "
        + ", ".join(missing) + ". Add one: the role that writes it and an object of the cast it can see.")
    stale = sorted(f"{m.upper()} {p}" for m, p in set(BUILDERS) - set(writable_operations()))
    assert not stale, f"builders for paths the schema no longer has: {stale}"


@pytest.mark.parametrize(("method", "path"), writable_operations(), ids=lambda v: v)
def test_a_get_body_sent_back_is_accepted(cast: Cast, method: str, path: str) -> None:
    builder = BUILDERS.get((method, path))
    if builder is None:
        pytest.fail(f"{method.upper()} {path}: no builder in BUILDERS (see test_every_writable_resource_has_a_builder)")
    client, url, body = read(cast, builder)
    if method == "post":
        sent = builder.tweak(dict(body), cast)
        assert set(body) <= set(sent), "a tweak may change or add fields, never remove one"
        assert set(sent) - set(body) <= set(builder.secrets), "an added field must be a declared write-only secret"
        target = path
    else:
        sent, target = body, url
    response = send(client, method, target, sent)
    assert response.status_code in builder.expect, (
        f"{method.upper()} {target} with the GET body of {url} answered {response.status_code}: "
        f"{response.content.decode()}")


def test_an_unknown_field_is_still_refused(cast: Cast) -> None:
    client, url, body = read(cast, BUILDERS[("patch", "/api/v1/guards/{id}/")])
    response = client.patch(url, {**body, "salary": 3000}, format="json")
    assert response.status_code == 400 and list(response.json()["fields"]) == ["salary"]


def test_a_create_only_field_sent_back_changed_is_refused_not_ignored(cast: Cast) -> None:
    """An account's username, role and organisation are set once: sent unchanged they pass, changed they
    are refused (silently ignoring them would tell the caller a change happened); a password cannot be
    changed through this endpoint at all."""
    client, url, body = read(cast, BUILDERS[("patch", "/api/v1/users/{id}/")])
    for change in ({"username": "renamed"}, {"role": "unit_admin"}, {"organisation": cast.ps.pk},
                   {"password": "Another-Horse-43!"}):
        response = client.patch(url, {**body, **change}, format="json")
        assert response.status_code == 400, (change, response.content)
        assert set(response.json()["fields"]) == set(change)
    cast.users["guard"].refresh_from_db()
    assert cast.users["guard"].username == body["username"] and cast.users["guard"].check_password(PASSWORD)


def test_a_guard_hands_over_to_another_guard_of_the_unit(cast: Cast) -> None:
    """Only themselves among the users a guard may list: the guard who takes over is still theirs to name,
    a guard of another unit is not."""
    client = client_for(cast.users["guard"])
    ok = client.post("/api/v1/handovers/", {"unit": cast.unit_a.pk, "to_guard": second_guard(cast)}, format="json")
    assert ok.status_code == 201, ok.content
    foreign = client.post("/api/v1/handovers/", {"unit": cast.unit_a.pk, "to_guard": cast.users["foreign_b"].pk},
                          format="json")
    assert foreign.status_code == 400 and "to_guard" in foreign.json()["fields"]


def test_a_guard_names_a_teacher_as_the_host(cast: Cast) -> None:
    response = client_for(cast.users["guard"]).post("/api/v1/visits/", {
        "unit": cast.unit_a.pk, "id_type": "resident_id", "id_number": resident_id(date(1972, 2, 2)),
        "name": "访客", "purpose": "维修", "host": cast.users["teacher"].pk}, format="json")
    assert response.status_code == 201, response.content


def test_a_device_does_not_move_to_another_unit(cast: Cast) -> None:
    client, url, body = read(cast, BUILDERS[("patch", "/api/v1/devices/{id}/")])
    response = client.patch(url, {**body, "unit": cast.unit_b.pk}, format="json")
    assert response.status_code == 400 and "unit" in response.json()["fields"]


# --- input lengths follow the columns ---------------------------------------------------------------------

_COMPONENTS = SCHEMA["components"]["schemas"]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _COMPONENTS[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0])
    return schema


def string_fields(schema: dict[str, Any], prefix: str = "") -> list[tuple[str, int | None]]:
    """(field, maxLength) of the free-text inputs of a request body: strings that are no enum and have no
    format (dates, e-mails), at the top level and in lists of objects (``windows[].label``)."""
    out: list[tuple[str, int | None]] = []
    for name, prop in _resolve(schema).get("properties", {}).items():
        prop = _resolve(prop)
        if prop.get("readOnly"):
            continue
        if prop.get("type") == "array" and "properties" in _resolve(prop.get("items", {})):
            out += string_fields(prop["items"], f"{prefix}{name}[].")
        elif prop.get("type") == "string" and "enum" not in prop and "format" not in prop:
            out.append((prefix + name, prop.get("maxLength")))
    return out


def request_bodies() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, ops in SCHEMA["paths"].items():
        for method in WRITE_METHODS:
            body = ops.get(method, {}).get("requestBody")
            if body:
                out.append((method, path, body["content"]["application/json"]["schema"]))
    return out


# Text columns (TextField): they hold any length, so their inputs have no maxLength.
UNBOUNDED_TEXT = {
    ("/api/v1/alarms/{id}/incident/", "description"), ("/api/v1/alarms/{id}/incident/", "review"),
    ("/api/v1/drills/", "evaluation"), ("/api/v1/drills/", "issues_found"), ("/api/v1/handovers/", "notes"),
    ("/api/v1/plans/", "body"), ("/api/v1/plans/", "response_force"),
}


def test_every_free_text_input_has_a_max_length() -> None:
    unbounded = sorted((path, name) for _method, path, schema in request_bodies()
                       for name, limit in string_fields(schema) if limit is None)
    assert set(unbounded) == UNBOUNDED_TEXT, (
        "string inputs without a maxLength (a CharField column has one: give the serializer field its "
        f"max_length; a TextField column goes into UNBOUNDED_TEXT): {sorted(set(unbounded) - UNBOUNDED_TEXT)}")


# Operations that are not a resource's (no builder to start from): who calls them, with what base body.
ACTIONS: dict[str, tuple[str, Callable[[Cast], Body]]] = {
    "/api/v1/auth/token/": ("", lambda cast: {"username": "nobody", "password": "x"}),
    "/api/v1/pickups/": ("guard", lambda cast: {"child": first("gate.Child", unit=unit_a)(cast)}),
    "/api/v1/patrol-scans/": ("guard", lambda cast: {}),
}


def _context(cast: Cast, method: str, path: str) -> tuple[APIClient, str, Body, Callable[[], Any]]:
    """Who sends a too-long value to ``path``, at which URL, on top of which valid body; and how to read
    back the state that must not change."""
    builder = BUILDERS.get((method, path))
    if builder is not None:
        client, url, body = read(cast, builder)
        if method == "post":
            body = builder.tweak(dict(body), cast)
            return client, path, body, lambda: client.get(path).json()["count"]
        return client, url, body, lambda: client.get(url).json()
    if "{id}" in path:  # an action on an object: the object of its resource's builder
        collection = path.split("{id}")[0]
        builder = BUILDERS.get(("post", collection)) or BUILDERS[("patch", collection + "{id}/")]
        client, url, _body = read(cast, builder)
        target = url + path.split("{id}/")[1]
        return client, target, {}, lambda: client.get(url).json()
    if path not in ACTIONS:
        pytest.fail(f"{method.upper()} {path}: no builder or ACTIONS entry to send a too-long value with")
    role, base = ACTIONS[path]
    client = client_for(cast.users[role]) if role else APIClient()
    return client, path, base(cast), lambda: None


def _too_long(body: Body, name: str, limit: int) -> Body:
    value = "9" * (limit + 1)  # digits: a phone or an ID number is refused for its length, not its letters
    if "[]." in name:
        outer, inner = name.split("[].")
        items = [dict(item) for item in body.get(outer) or [{}]]
        items[0][inner] = value
        return {**body, outer: items}
    return {**body, name: value}


def bounded_bodies() -> list[tuple[str, str, list[tuple[str, int]]]]:
    """The request bodies with at least one string input of a bounded length, and those inputs."""
    out = []
    for method, path, schema in request_bodies():
        bounded = [(name, limit) for name, limit in string_fields(schema) if limit is not None]
        if bounded:
            out.append((method, path, bounded))
    return out


@pytest.mark.parametrize(("method", "path", "bounded"), bounded_bodies(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_value_longer_than_its_column_is_refused_and_nothing_is_written(
        cast: Cast, method: str, path: str, bounded: list[tuple[str, int]]) -> None:
    client, url, body, state = _context(cast, method, path)
    before = state()
    for name, limit in bounded:
        response = send(client, method, url, _too_long(body, name, limit))
        assert response.status_code == 400, (method, url, name, response.content)
        answer = response.json()
        assert answer["code"] == "invalid" and answer["detail"], answer
        assert name.split("[].")[0] in answer["fields"], (name, answer)
    assert state() == before, f"{method.upper()} {url}: a refused request changed something"


def test_the_schema_describes_token_and_device_authentication() -> None:
    """/api/docs/ offers "Authorize" for Huxiao's own schemes, and each operation names the one it takes."""
    schemes = SCHEMA["components"]["securitySchemes"]
    assert {"tokenAuth", "deviceAuth"} <= set(schemes)
    assert schemes["tokenAuth"]["name"] == "Authorization"
    pickups = SCHEMA["paths"]["/api/v1/pickups/"]["post"]["security"]
    assert {"tokenAuth": []} in pickups
    events = SCHEMA["paths"]["/api/v1/device-events/"]["post"]["security"]
    assert {"deviceAuth": []} in events
