"""F-EMRG-1 plans (versioned, per type) and F-EMRG-2 drills, with rules plans.present and drills.frequency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from huxiao.compliance.models import Result
from huxiao.emergency.models import Drill, Plan, PlanType
from tests.conftest import Cast, api_as
from tests.test_force import page_for

pytestmark = pytest.mark.django_db


def verdict(cast: Cast, rule: str) -> str:
    return Result.objects.get(unit=cast.unit_a, rule=rule).status


def plan_body(cast: Cast, type_: str, **extra: object) -> dict:
    return {"unit": cast.unit_a.pk, "type": type_, "title": f"{type_} 预案", "body": "分工、流程、联络。",
            "response_force": "校长、安全主任、门卫", "approved_on": timezone.localdate().isoformat(), **extra}


def test_plans_are_versioned_and_plans_present_passes_when_every_type_is_there(cast: Cast) -> None:
    admin = api_as(cast.users["unit_admin"])
    Plan.objects.filter(unit=cast.unit_a).delete()
    first = admin.post("/api/v1/plans/", plan_body(cast, "fire"), format="json")
    second = admin.post("/api/v1/plans/", plan_body(cast, "fire", title="消防预案（修订）"), format="json")
    assert first.status_code == 201 and second.status_code == 201, second.content
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert verdict(cast, "plans.present") == "fail"
    for type_ in PlanType.values:
        if type_ != "fire":
            assert admin.post("/api/v1/plans/", plan_body(cast, type_), format="json").status_code == 201
    assert verdict(cast, "plans.present") == "pass"
    # Others may read, not write; bad input writes nothing.
    before = Plan.objects.count()
    assert api_as(cast.users["police"]).post("/api/v1/plans/", plan_body(cast, "media"),
                                             format="json").status_code == 403
    bad = admin.post("/api/v1/plans/", plan_body(cast, "alien_invasion"), format="json")
    assert bad.status_code == 400 and "type" in bad.json()["fields"]
    assert api_as(cast.users["foreign_b"]).post("/api/v1/plans/", plan_body(cast, "media"),
                                                format="json").status_code == 400
    assert Plan.objects.count() == before
    listed = api_as(cast.users["police"]).get("/api/v1/plans/").json()["results"]
    assert any(p["unit"] == cast.unit_a.pk for p in listed)


def test_drills_frequency_follows_the_kind_of_unit(cast: Cast) -> None:
    admin = api_as(cast.users["unit_admin"])
    Drill.objects.filter(unit=cast.unit_a).delete()
    today = timezone.localdate()
    days = 92 if cast.unit_a.kind == "kindergarten" else 31

    def record(on: object) -> int:
        return admin.post("/api/v1/drills/", {"unit": cast.unit_a.pk, "scenario": "fire", "date": str(on),
                                              "participants": 40, "duration_minutes": 20}, format="json").status_code

    assert record(today - timedelta(days=days + 1)) == 201
    assert verdict(cast, "drills.frequency") == "fail"
    assert record(today - timedelta(days=days)) == 201
    assert verdict(cast, "drills.frequency") == "pass"
    count = Drill.objects.count()
    assert record(today + timedelta(days=1)) == 400  # recorded after it took place
    assert Drill.objects.count() == count


def test_the_emergency_page_for_the_unit_admin_and_for_the_police(cast: Cast) -> None:
    url = f"/units/{cast.unit_a.pk}/emergency/"
    admin = page_for(cast.users["unit_admin"])
    page = admin.get(url)
    assert page.status_code == 200 and "form" in page.content.decode()
    bad = admin.post(url, {"form": "drill", "scenario": "fire", "date": "", "participants": "x"})
    assert bad.status_code == 400
    good = admin.post(url, {"form": "plan", "type": "media", "title": "舆情应对预案（2026）", "body": "…",
                            "response_force": "校长、宣传干事", "approved_on": timezone.localdate().isoformat()})
    assert good.status_code == 302
    assert Plan.objects.filter(unit=cast.unit_a, type="media", title="舆情应对预案（2026）").exists()
    police = page_for(cast.users["police"])
    seen = police.get(url)
    assert seen.status_code == 200 and "舆情应对预案（2026）" in seen.content.decode()
    assert 'name="form" value="plan"' not in seen.content.decode()
    assert police.post(url, {"form": "plan", "type": "fire", "title": "x", "body": "x", "response_force": "x",
                             "approved_on": timezone.localdate().isoformat()}).status_code == 403
