"""F-PREV-1 inspections: the shipped checklists, schedules and rule inspections.due, records whose failed items
open hazards (F-PREV-2) once each, bad input that writes nothing, and checklists the sub-district edits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from huxiao.compliance.models import Result as Verdict
from huxiao.hazards.models import Hazard
from huxiao.inspections import services
from huxiao.inspections.models import Area, Inspection, Result, Schedule, Template
from huxiao.inspections.shipped import SHIPPED
from tests.conftest import Cast, api_as

pytestmark = pytest.mark.django_db


def checklist(cast: Cast, area: str = "canteen") -> Template:
    return Template.objects.get(subdistrict=cast.sd, area=area)


def body(cast: Cast, template: Template, failed: dict[int, str] | None = None, **extra: Any) -> dict[str, Any]:
    failed = failed or {}
    return {"unit": cast.unit_a.pk, "template": template.pk, "date": timezone.localdate().isoformat(),
            "results": [{"item": item.pk, "result": "fail" if item.order in failed else "pass",
                         "note": failed.get(item.order, "")} for item in template.items.all()], **extra}


def test_every_sub_district_starts_with_the_shipped_checklists_in_both_languages(cast: Cast) -> None:
    for sd in (cast.sd, cast.sd2):
        templates = {t.area: t for t in Template.objects.filter(subdistrict=sd)}
        assert set(templates) == set(Area.values) == set(SHIPPED)
        for template in templates.values():
            items = list(template.items.all())
            assert len(items) >= 4 and all(i.text and i.text_en for i in items)
    assert services.checklists_ship(subdistrict=cast.sd) == []  # idempotent
    listed = api_as(cast.users["unit_admin"]).get("/api/v1/inspection-checklists/").json()
    assert listed["count"] == len(SHIPPED)  # its own sub-district's only


def test_a_failed_item_opens_a_hazard_once_and_the_schedule_moves_on(cast: Cast) -> None:
    template = checklist(cast)
    admin = api_as(cast.users["unit_admin"])
    schedule = admin.post("/api/v1/inspection-schedules/", {"unit": cast.unit_a.pk, "template": template.pk,
                                                            "every_days": 7}, format="json")
    assert schedule.status_code == 201, schedule.content
    made = admin.post("/api/v1/inspections/", body(cast, template, failed={2: "留样只有 100 克"}), format="json",
                      HTTP_IDEMPOTENCY_KEY="tablet-1")
    assert made.status_code == 201, made.content
    failed = [r for r in made.json()["results"] if r["result"] == "fail"]
    assert len(failed) == 1 and failed[0]["hazard"]
    hazard = Hazard.objects.get(pk=failed[0]["hazard"])
    assert hazard.source == "inspection" and hazard.status == "reported" and hazard.unit_id == cast.unit_a.pk
    assert "留样" in hazard.title and hazard.description == "留样只有 100 克"
    # The tablet retries: the same answer, no second record and no second hazard.
    again = admin.post("/api/v1/inspections/", body(cast, template, failed={2: "留样只有 100 克"}), format="json",
                       HTTP_IDEMPOTENCY_KEY="tablet-1")
    assert again.json()["id"] == made.json()["id"]
    assert Hazard.objects.filter(source="inspection", unit=cast.unit_a).count() == 1
    assert Schedule.objects.get(unit=cast.unit_a, template=template).next_due == timezone.localdate() + timedelta(7)


def test_inspections_due_fails_when_a_scheduled_inspection_is_overdue(cast: Cast) -> None:
    from huxiao.compliance.engine import refresh_unit

    assert Verdict.objects.get(unit=cast.unit_a, rule="inspections.due").status == "pass"
    template = checklist(cast, "stairway")
    services.schedule_set(actor=cast.users["education"], unit=cast.unit_a, template=template, every_days=30,
                          next_due=timezone.localdate() - timedelta(days=3))
    verdict = Verdict.objects.get(unit=cast.unit_a, rule="inspections.due")
    assert verdict.status == "fail"
    services.inspection_record(actor=cast.users["education"], unit=cast.unit_a, template=template,
                               date=timezone.localdate(), results=[{"item": i.pk, "result": "pass"}
                                                                   for i in template.items.all()])
    refresh_unit(cast.unit_a.pk)
    assert Verdict.objects.get(unit=cast.unit_a, rule="inspections.due").status == "pass"
    Schedule.objects.filter(unit=cast.unit_a).delete()
    refresh_unit(cast.unit_a.pk)
    assert Verdict.objects.get(unit=cast.unit_a, rule="inspections.due").status == "warn"  # nothing scheduled


def test_bad_input_is_a_400_and_writes_nothing(cast: Cast) -> None:
    template = checklist(cast)
    admin = api_as(cast.users["unit_admin"])
    before = (Inspection.objects.count(), Result.objects.count(), Hazard.objects.count())
    whole = body(cast, template)
    cases = [
        {**whole, "results": whole["results"][:-1]},  # an item without a result
        {**whole, "results": [*whole["results"][:-1], {**whole["results"][-1], "result": "maybe"}]},
        {**whole, "results": [*whole["results"][:-1], {**whole["results"][-1], "result": "fail"}]},  # no note
        {**whole, "date": (timezone.localdate() + timedelta(days=1)).isoformat()},
        {**whole, "template": Template.objects.get(subdistrict=cast.sd2, area="canteen").pk},
        {**whole, "results": [*whole["results"], {"item": 999999, "result": "pass"}]},
    ]
    for case in cases:
        response = admin.post("/api/v1/inspections/", case, format="json")
        assert response.status_code == 400, (case, response.content)
        assert response.json()["code"] == "invalid" and response.json()["fields"]
    assert (Inspection.objects.count(), Result.objects.count(), Hazard.objects.count()) == before


def test_who_may_inspect_and_who_may_edit_the_checklists(cast: Cast) -> None:
    template = checklist(cast)
    for role, status in (("guard", 403), ("teacher", 403), ("education", 201), ("police", 403)):
        response = api_as(cast.users[role]).post("/api/v1/inspections/", body(cast, template), format="json")
        assert response.status_code == status, (role, response.content)
    with pytest.raises(PermissionDenied):
        services.template_update(actor=cast.users["unit_admin"], template=template, name="x", items=[("a", "")])


def test_editing_a_checklist_retires_used_items_and_old_records_read_as_they_did(cast: Cast) -> None:
    template = checklist(cast, "fire")
    used = template.items.get(order=1)
    kept = [(i.text, i.text_en) for i in template.items.filter(order__gt=1)]
    new = ("电动车不得在楼内充电", "No e-bike charging inside")
    services.template_update(actor=cast.users["education"], template=template, name=template.name,
                             name_en=template.name_en, items=[*kept, new])
    used.refresh_from_db()
    assert used.active is False  # the cast's record uses it
    texts = list(template.items.filter(active=True).values_list("text", flat=True))
    assert texts[-1] == "电动车不得在楼内充电" and used.text not in texts
    old = Result.objects.filter(item=used).first()
    assert old is not None and old.text == used.text
