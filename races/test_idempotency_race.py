"""Issue #11 must-show 1: ten in-flight retries of one request with one ``Idempotency-Key`` do the work
once. A tablet at a crowded gate resends when the network stalls; the ten copies arrive together, on ten
connections. Before the key was claimed first, ten retries of one alarm created eight alarms while every
answer showed one id. Real threads, real connections, on SQLite (WAL) and on PostgreSQL in CI."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from rest_framework.test import APIClient
from tests.factories import UnitFactory, UserFactory, make_org, make_subdistrict, resident_id

from huxiao.alarms.models import Alarm
from huxiao.core.models import IdempotencyKey, Role
from huxiao.gate.models import Visit

RETRIES = 10


def _at_once(user: Any, send: Callable[[APIClient], Any]) -> list[Any]:
    """``send`` from RETRIES threads, each on its own connection, released by one barrier."""
    barrier = threading.Barrier(RETRIES)
    answers: list[Any] = [None] * RETRIES
    errors: list[BaseException] = []

    def retry(index: int) -> None:
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            answers[index] = send(client)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry, args=(i,)) for i in range(RETRIES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    return answers


def _unit() -> tuple[Any, Any]:
    sd = make_subdistrict("SD-I", "幂等街道")
    community = make_org(sd, "community", code="C-I", name="幂等社区")
    unit = UnitFactory(code="KI", parent=community, subdistrict=sd)
    return unit, UserFactory(username="idem-guard", role=Role.GUARD, organisation=unit)


@pytest.mark.django_db(transaction=True)
def test_ten_retries_of_one_alarm_raise_one_alarm() -> None:
    unit, guard = _unit()
    answers = _at_once(guard, lambda c: c.post("/api/v1/alarms/", {"unit": unit.pk, "kind": "button"},
                                               format="json", HTTP_IDEMPOTENCY_KEY="tablet-1-alarm-0001"))
    assert Counter(a.status_code for a in answers) == {201: RETRIES}
    assert Alarm.objects.filter(unit=unit).count() == 1
    assert {a.json()["id"] for a in answers} == {Alarm.objects.get(unit=unit).pk}
    assert sum(a.get("Idempotent-Replayed") == "true" for a in answers) == RETRIES - 1
    assert IdempotencyKey.objects.filter(user=guard).count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_retries_of_one_visitor_register_one_visit() -> None:
    unit, guard = _unit()
    body = {"unit": unit.pk, "id_type": "resident_id", "id_number": resident_id(__import__("datetime").date(
        1980, 5, 1), 3), "name": "访客甲", "purpose": "送教材"}
    answers = _at_once(guard, lambda c: c.post("/api/v1/visits/", body, format="json",
                                               HTTP_IDEMPOTENCY_KEY="tablet-1-visit-0001"))
    assert Counter(a.status_code for a in answers) == {201: RETRIES}, [a.content for a in answers]
    assert Visit.objects.filter(unit=unit).count() == 1
    assert len({a.json()["id"] for a in answers}) == 1
