"""Issue #12, one permission style: services ask ``actor.has_perm("<app>.<verb>_<thing>", obj)`` (django-rules
predicates in each app's ``permissions.py``) and never compare a role inline; and the predicates check the
object's scope, not only the role."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

import huxiao
from huxiao.alarms import services as alarms
from huxiao.alarms.models import Alarm
from huxiao.devices import services as devices
from huxiao.devices.models import Device
from tests.conftest import Cast

SRC = Path(huxiao.__file__).parent


def service_modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py")
                  if "__pycache__" not in p.parts and (p.name == "services.py" or p.parent.name == "services"))


def inline_role_checks(path: Path) -> list[str]:
    """Every comparison (``==``, ``!=``, ``in``, ``not in``…) with a ``.role`` on either side."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Compare) and any(
                isinstance(side, ast.Attribute) and side.attr == "role" for side in (node.left, *node.comparators)):
            found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_scan_sees_the_services_and_would_catch_an_inline_check(tmp_path: Path) -> None:
    names = {str(p.relative_to(SRC)) for p in service_modules()}
    assert {"alarms/services.py", "emergency/services.py", "gate/services/pickup.py", "gate/services/visits.py",
            "gate/services/duty.py", "force/services.py", "core/services.py"} <= names
    bad = tmp_path / "services.py"
    bad.write_text("def f(actor, unit):\n    if actor.role not in {'guard'} or actor.organisation_id != unit.pk:\n"
                   "        raise PermissionDenied\n")
    assert len(inline_role_checks(bad)) == 1


def test_no_service_compares_a_role_inline() -> None:
    """Who may do what is said once, in ``permissions.py`` (the only place a ``.role`` is compared)."""
    found = [hit for path in service_modules() for hit in inline_role_checks(path)]
    assert not found, "use a rules predicate and actor.has_perm(...) instead:\n" + "\n".join(found)


# --- the scope the predicates now check ---------------------------------------------------------------

def raise_at(cast: Cast, where: str) -> Alarm:
    unit = getattr(cast, where)
    raiser = {"unit_a": "guard", "unit_b": "foreign_b", "unit_far": "foreign_z"}[where]
    return alarms.alarm_raise(actor=cast.users[raiser], unit=unit)


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "where"), [("police", "unit_b"), ("police", "unit_far"), ("admin_far", "unit_a"),
                                            ("admin", "unit_far"), ("governance", "unit_far")])
def test_a_responder_outside_the_units_scope_cannot_answer_its_alarm(cast: Cast, who: str, where: str) -> None:
    alarm = raise_at(cast, where)
    actor = cast.users[who]
    for step in ("acknowledged", "dispatched", "closed"):
        with pytest.raises(PermissionDenied):
            alarms.alarm_step(actor=actor, alarm=alarm, step=step)
    with pytest.raises(PermissionDenied):
        alarms.incident_describe(actor=actor, alarm=alarm, place="gate")
    alarm.refresh_from_db()
    assert alarm.acknowledged_at is None and alarm.place == ""


@pytest.mark.django_db
def test_the_responders_of_the_units_scope_still_answer(cast: Cast) -> None:
    alarm = raise_at(cast, "unit_a")
    alarms.alarm_step(actor=cast.users["police"], alarm=alarm, step="acknowledged")
    alarms.alarm_step(actor=cast.users["governance"], alarm=alarm, step="dispatched")
    alarms.incident_describe(actor=cast.users["admin"], alarm=alarm, place="gate")
    far = raise_at(cast, "unit_far")
    alarms.alarm_step(actor=cast.users["admin_far"], alarm=far, step="acknowledged")
    assert Alarm.objects.filter(pk__in=[alarm.pk, far.pk], acknowledged_at__isnull=False).count() == 2


def device_fields() -> dict[str, object]:
    return {"kind": "camera", "location": "gate", "installed_on": date(2024, 1, 1)}


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "where"), [("police", "unit_b"), ("police", "unit_far"), ("admin_far", "unit_a"),
                                            ("admin_far", "unit_b"), ("admin", "unit_far")])
def test_a_manager_outside_the_units_scope_cannot_manage_its_devices(cast: Cast, who: str, where: str) -> None:
    unit = getattr(cast, where)
    actor = cast.users[who]
    with pytest.raises(PermissionDenied):
        devices.device_add(actor=actor, unit=unit, **device_fields())
    device, _token = devices.device_add(actor=cast.users["admin" if where != "unit_far" else "admin_far"], unit=unit,
                                       **device_fields())
    with pytest.raises(PermissionDenied):
        devices.device_update(actor=actor, device=device, label="moved")
    with pytest.raises(PermissionDenied):
        devices.device_token_rotate(actor=actor, device=device)
    assert Device.objects.get(pk=device.pk).label == ""


@pytest.mark.django_db
def test_the_police_of_the_units_station_and_its_sub_district_admin_still_manage_devices(cast: Cast) -> None:
    device, _token = devices.device_add(actor=cast.users["police"], unit=cast.unit_a, **device_fields())
    devices.device_update(actor=cast.users["admin"], device=device, label="east gate")
    devices.device_token_rotate(actor=cast.users["unit_admin"], device=device)
    assert Device.objects.get(pk=device.pk).label == "east gate"
