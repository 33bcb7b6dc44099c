"""F-RISK-1/2: the ledger is police and governance only, its reads are audited, the gate's watch list
refuses a ledger person without telling the guard why, and ``risk.followup`` fails on an overdue one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.utils import timezone

from huxiao.compliance.engine import refresh_unit
from huxiao.compliance.models import Result
from huxiao.notify.models import Notification
from huxiao.risk.models import GateSighting, RiskPerson
from tests.conftest import api_as
from tests.factories import RISK_ID_NUMBERS, Cast, resident_id, years_ago
from tests.test_gate import visitor

ROLES_200 = {"police", "governance"}


@pytest.mark.parametrize("path", ["/api/v1/risk-persons/", "/api/v1/disputes/"])
def test_only_police_and_governance_read_the_ledger(cast: Cast, path: str) -> None:
    for role, user in cast.users.items():
        if role.startswith("foreign") or role == "admin_far":
            continue
        status = api_as(user).get(path).status_code
        assert status == (200 if role in ROLES_200 else 403), (role, status)


def test_a_list_read_is_audited_with_its_reader(cast: Cast) -> None:
    police = cast.users["police"]
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=police).count()
    from django.test import Client

    client = Client()
    client.force_login(police)
    rows = client.get("/api/v1/risk-persons/").json()["results"]
    assert rows and all("id_number" not in r and r["id_number_masked"].count("*") == 8 for r in rows)
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=police).count() == before + len(rows)


def test_reveal_needs_a_reason_and_is_audited(cast: Cast) -> None:
    police = api_as(cast.users["police"])
    person = RiskPerson.objects.get(unit=cast.unit_a)
    url = f"/api/v1/risk-persons/{person.pk}/reveal/"
    assert police.post(url, {"field": "id_number", "reason": ""}, format="json").status_code == 400
    answer = police.post(url, {"field": "id_number", "reason": "核对走访对象身份"}, format="json")
    assert answer.status_code == 200 and answer.json()["value"] == RISK_ID_NUMBERS["KA"]
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(person.pk)).latest("timestamp")
    assert entry.additional_data["reason"] == "核对走访对象身份"
    assert RISK_ID_NUMBERS["KA"] not in str(entry.changes) + str(entry.additional_data)
    assert api_as(cast.users["unit_admin"]).post(url, {"field": "id_number", "reason": "想看看"},
                                                 format="json").status_code == 403


def test_a_ledger_person_is_refused_at_the_gate_and_the_police_get_the_person(cast: Cast) -> None:
    person = RiskPerson.objects.get(unit=cast.unit_a)
    response = api_as(cast.users["guard"]).post("/api/v1/visits/", {"unit": cast.unit_a.pk, **visitor(
        id_number=RISK_ID_NUMBERS["KA"], name="某乙")}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["decision"] == "refused" and body["reason"] == "不得放行。已通知警方。"
    assert GateSighting.objects.filter(person=person, unit=cast.unit_a).count() == 1
    alert = Notification.objects.get(kind="risk.sighting", user=cast.users["police"])
    assert alert.url == f"/risk/{person.pk}/"
    assert set(Notification.objects.filter(kind="risk.sighting").values_list("user__username", flat=True)) == {
        "officer", "gov"}


def test_an_ordinary_visitor_is_not_matched(cast: Cast) -> None:
    response = api_as(cast.users["guard"]).post("/api/v1/visits/", {"unit": cast.unit_a.pk, **visitor(
        id_number=resident_id(years_ago(33), 321))}, format="json")
    assert response.json()["decision"] != "refused" or "课" in response.json()["reason"]
    assert not GateSighting.objects.exists()


def test_an_overdue_follow_up_fails_the_rule_and_a_follow_up_clears_it(cast: Cast) -> None:
    person = RiskPerson.objects.get(unit=cast.unit_a)
    RiskPerson.objects.filter(pk=person.pk).update(level="high", last_followup_on=timezone.localdate()
                                                   - timedelta(days=8))
    refresh_unit(cast.unit_a.pk)
    result = Result.objects.get(unit=cast.unit_a, rule="risk.followup")
    assert result.status == "fail"
    assert person.name not in str(result.evidence)
    police = api_as(cast.users["police"])
    assert police.post(f"/api/v1/risk-persons/{person.pk}/follow-ups/", {"kind": "deescalation",
                       "note": "上门疏导，情绪稳定"}, format="json").status_code == 201
    assert Result.objects.get(unit=cast.unit_a, rule="risk.followup").status == "pass"
