"""F-COMP and F-FORCE: the engine, its rules and the compliance API, told as the issue's story."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from huxiao.compliance import engine
from huxiao.compliance.models import Result, Snapshot
from huxiao.core.dates import age_on
from huxiao.core.models import Unit
from huxiao.force.models import Equipment, Guard, PoliceAssignment
from tests.conftest import api_as
from tests.factories import Cast, UnitFactory, resident_id, years_ago

REQUIRED = ["restraining_fork", "stab_vest", "cut_gloves", "baton", "helmet", "shield"]


def verdicts(client, unit_id: int, lang: str = "en") -> dict[str, dict]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/compliance/?unit={unit_id}&page_size=100", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, response.content
    return {r["rule"]: r for r in response.json()["results"]}


def test_a_new_kindergarten_with_one_old_guard_fails_and_each_fix_turns_it_to_pass(cast: Cast) -> None:
    """Issue #3, must-show 1: the whole story through the API."""
    admin = api_as(cast.users["admin"])
    created = admin.post("/api/v1/units/", {
        "code": "K-NEW", "name": "新芽幼儿园", "kind": "kindergarten", "pupils": 90, "community": cast.c1.pk,
        "police_station": cast.ps.pk}, format="json")
    assert created.status_code == 201, created.content
    unit_id = created.json()["id"]
    principal = api_as(cast.users["admin"])

    born = years_ago(58)
    guard = principal.post("/api/v1/guards/", {
        "unit": unit_id, "name": "王秀英", "id_number": resident_id(born), "phone": "13800001111",
        "certificate_no": "ZJ2020-0042"}, format="json")
    assert guard.status_code == 201, guard.content
    assert guard.json()["birth_date"] == born.isoformat()  # taken from the ID number
    assert guard.json()["id_number_masked"].startswith("330106") and "*" in guard.json()["id_number_masked"]

    found = verdicts(principal, unit_id)
    for code in ("guards.count", "guards.age", "guards.equipment", "police.assigned"):
        assert found[code]["status"] == "fail", (code, found[code])
    assert f"Guard 王秀英, born {born.isoformat()}, is 58" in found["guards.age"]["evidence"]
    assert "1 active guards (王秀英); at least 2 required" in found["guards.count"]["evidence"]
    assert "Restraining fork" in found["guards.equipment"]["evidence"]
    assert found["police.assigned"]["evidence"] == "No duty officer has been assigned."
    zh = verdicts(principal, unit_id, "zh-hans")
    assert f"保安 王秀英，{born.isoformat()} 出生，现年 58 岁" in zh["guards.age"]["evidence"]

    # Fix each through the API.
    for name, seq in (("李强", 211), ("张伟", 231)):
        r = principal.post("/api/v1/guards/", {"unit": unit_id, "name": name, "id_number": resident_id(
            years_ago(40), seq), "certificate_no": f"ZJ-{seq}"}, format="json")
        assert r.status_code == 201, r.content
    assert verdicts(principal, unit_id)["guards.count"]["status"] == "pass"
    assert verdicts(principal, unit_id)["guards.age"]["status"] == "fail"

    r = principal.patch(f"/api/v1/guards/{guard.json()['id']}/", {"active": False}, format="json")
    assert r.status_code == 200, r.content
    assert verdicts(principal, unit_id)["guards.age"]["status"] == "pass"

    for kind in REQUIRED:
        r = principal.post("/api/v1/equipment/", {"unit": unit_id, "kind": kind, "quantity": 2}, format="json")
        assert r.status_code == 201, r.content
    assert verdicts(principal, unit_id)["guards.equipment"]["status"] == "pass"

    police = api_as(cast.users["police"])
    r = police.post("/api/v1/police-assignments/", {
        "unit": unit_id, "officer_name": "赵警官", "badge_no": "031234", "phone": "13900002222",
        "start_date": timezone.localdate().isoformat()}, format="json")
    assert r.status_code == 201, r.content
    after = verdicts(principal, unit_id)
    assert after["police.assigned"]["status"] == "pass"
    assert "赵警官" in after["police.assigned"]["evidence"]


def test_the_number_of_queries_is_the_same_for_10_and_300_units(cast: Cast) -> None:
    """Issue #3, must-show 2: rules read in bulk, never per unit."""

    def build(n: int) -> None:
        units = [UnitFactory.build(code=f"Q{n}-{i}", parent=cast.c1, subdistrict=cast.sd, police_station=cast.ps,
                                   kind="kindergarten" if i % 2 else "primary", pupils=150 * i, type="unit")
                 for i in range(n)]
        for unit in units:
            unit.save()
        Guard.objects.bulk_create([Guard(unit=u, name=f"G{u.code}", birth_date=years_ago(30 + i % 30),
                                         certificate_no="" if i % 3 else "C") for i, u in enumerate(units)])
        Equipment.objects.bulk_create([Equipment(unit=u, kind="baton", quantity=1) for u in units])
        PoliceAssignment.objects.bulk_create([PoliceAssignment(unit=u, officer_name="o", badge_no="1", phone="1",
                                                               start_date=date(2026, 1, 1)) for u in units[::2]])

    def count(prefix: str) -> tuple[int, int]:
        units = Unit.objects.filter(code__startswith=prefix)
        with CaptureQueriesContext(connection) as ctx:
            result = engine.evaluate(units)
        assert len(result) == units.count() * len(engine.rules())
        return len(ctx.captured_queries), len(result)

    build(10)
    build(300)
    small, n_small = count("Q10-")
    large, n_large = count("Q300-")
    assert n_large == 30 * n_small
    assert small == large, f"{small} queries for 10 units, {large} for 300"
    assert large <= 26  # one query per table the rules read (23 with buses, hazards, inspections, premises)


def test_unit_admin_sees_only_own_units_results(cast: Cast) -> None:
    engine.refresh()
    response = api_as(cast.users["unit_admin"]).get("/api/v1/compliance/?page_size=500")
    units = {r["unit"] for r in response.json()["results"]}
    assert units == {cast.unit_a.pk}
    assert Result.objects.filter(unit=cast.unit_b).exists()


def test_status_filter_and_error_shape(cast: Cast) -> None:
    engine.refresh()
    client = api_as(cast.users["admin"])
    failing = client.get("/api/v1/compliance/?status=fail&page_size=500").json()["results"]
    assert failing and all(r["status"] == "fail" for r in failing)
    bad = client.get("/api/v1/compliance/?status=broken")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "status" in bad.json()["fields"]


def test_guard_turning_too_old_is_warned_then_failed_with_since(cast: Cast) -> None:
    today = timezone.localdate()
    birthday_56 = today + timedelta(days=20)
    born = birthday_56.replace(year=birthday_56.year - 56)
    Guard.objects.create(unit=cast.unit_a, name="老周", birth_date=born, certificate_no="C1")
    now = timezone.now()
    before = engine.evaluate(Unit.objects.filter(pk=cast.unit_a.pk), now=now)[(cast.unit_a.pk, "guards.age")]
    assert before.status == "warn"
    later = engine.evaluate(Unit.objects.filter(pk=cast.unit_a.pk), now=now + timedelta(days=21))
    verdict = later[(cast.unit_a.pk, "guards.age")]
    assert verdict.status == "fail" and verdict.since == birthday_56
    assert age_on(born, birthday_56) == 56 and age_on(born, birthday_56 - timedelta(days=1)) == 55


@pytest.mark.parametrize(("kind", "pupils", "need"), [
    ("kindergarten", 30, 2), ("primary", 99, 1), ("primary", 100, 2), ("middle", 999, 2), ("middle", 1000, 3),
    ("high", 1499, 3), ("high", 1500, 4), ("nine_year", 2600, 6)])
def test_minimum_guards_follow_the_parameters(cast: Cast, kind: str, pupils: int, need: int) -> None:
    unit = UnitFactory(code="MIN", kind=kind, pupils=pupils, parent=cast.c1, subdistrict=cast.sd)
    Guard.objects.bulk_create([Guard(unit=unit, name=f"g{i}", birth_date=years_ago(30), certificate_no="c")
                               for i in range(need)])
    assert engine.evaluate(Unit.objects.filter(pk=unit.pk))[(unit.pk, "guards.count")].status == "pass"
    Guard.objects.filter(unit=unit).first().delete()  # type: ignore[union-attr]
    assert engine.evaluate(Unit.objects.filter(pk=unit.pk))[(unit.pk, "guards.count")].status == "fail"


def test_parameters_are_per_subdistrict_and_only_its_admin_changes_them(cast: Cast) -> None:
    Guard.objects.create(unit=cast.unit_a, name="老周", birth_date=years_ago(57), certificate_no="C1")
    engine.refresh()
    assert Result.objects.get(unit=cast.unit_a, rule="guards.age").status == "fail"
    assert api_as(cast.users["unit_admin"]).patch("/api/v1/compliance/parameters/", {
        "values": {"guards.max_age": 60}}, format="json").status_code == 403
    bad = api_as(cast.users["admin"]).patch("/api/v1/compliance/parameters/", {
        "values": {"guards.max_age": "sixty", "guards.required_equipment": ["laser"]}}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"guards.max_age", "guards.required_equipment"}
    ok = api_as(cast.users["admin"]).patch("/api/v1/compliance/parameters/", {
        "values": {"guards.max_age": 60}}, format="json")
    assert ok.status_code == 200 and ok.json()["values"]["guards.max_age"] == 60
    assert Result.objects.get(unit=cast.unit_a, rule="guards.age").status == "pass"
    far = api_as(cast.users["admin_far"]).get("/api/v1/compliance/parameters/").json()
    assert far["values"]["guards.max_age"] == 55


def test_snapshot_counts_units_and_rules(cast: Cast) -> None:
    engine.refresh()
    engine.snapshot_take()
    overall = Snapshot.objects.get(subdistrict=cast.sd, rule="*", day=timezone.localdate())
    assert overall.passed + overall.warned + overall.failed == Unit.objects.filter(subdistrict=cast.sd).count()
    assert Snapshot.objects.filter(subdistrict=cast.sd, rule="guards.count").exists()


def test_refresh_rewrites_only_what_changed(cast: Cast) -> None:
    Result.objects.all().delete()
    first = engine.refresh()
    assert first.changed == first.results == Unit.objects.count() * len(engine.rules())
    again = engine.refresh()
    assert again.changed == 0
    Guard.objects.create(unit=cast.unit_a, name="新人", birth_date=years_ago(30), certificate_no="")
    third = engine.refresh()
    assert third.changed >= 2  # count and certificate changed for unit A


def test_overview_counts_failing_units_per_rule_in_scope(cast: Cast) -> None:
    from django.test import Client

    Guard.objects.create(unit=cast.unit_b, name="老周", birth_date=years_ago(60), certificate_no="C1")
    engine.refresh()
    client = Client()
    client.force_login(cast.users["admin"])
    summary = client.get("/").context["compliance"]
    assert summary["failing_units"] == Result.objects.filter(
        status="fail", unit__subdistrict=cast.sd).values("unit").distinct().count()
    assert {r["code"]: r["n"] for r in summary["rows"]}["guards.age"] == 1
    client.force_login(cast.users["unit_admin"])  # unit A only: B's old guard is not its business
    assert {r["code"]: r["n"] for r in client.get("/").context["compliance"]["rows"]}["guards.age"] == 0
