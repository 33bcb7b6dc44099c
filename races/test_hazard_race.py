"""F-PREV-2: a hazard's transitions are conditional updates. The education office and the governance office
both verify the same rectified hazard at the same instant (and a unit admin assigns a hazard twice at once):
exactly one transition happens, the others get 409 ``invalid_transition``, and the history has one row for it.
Real threads, real connections, on SQLite (WAL) and on PostgreSQL in CI."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connections
from rest_framework.test import APIClient
from tests.factories import UnitFactory, UserFactory, make_org, make_subdistrict

from huxiao.core.models import OrgType, Role
from huxiao.hazards import services
from huxiao.hazards.models import Hazard, HazardEvent

AT_ONCE = 8


def _together(pairs: list[tuple[Any, str, dict[str, Any]]]) -> list[Any]:
    barrier = threading.Barrier(len(pairs))
    answers: list[Any] = [None] * len(pairs)
    errors: list[BaseException] = []

    def go(index: int) -> None:
        user, url, body = pairs[index]
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=30)
            answers[index] = client.post(url, body, format="json")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(pairs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    return answers


@pytest.mark.django_db(transaction=True)
def test_two_offices_verify_one_hazard_at_once_and_it_is_closed_once() -> None:
    sd = make_subdistrict("SD-H", "隐患街道")
    community = make_org(sd, "community", code="C-H", name="隐患社区")
    unit = UnitFactory(code="KH", parent=community, subdistrict=sd)
    admin = UserFactory(username="kh-admin", role=Role.UNIT_ADMIN, organisation=unit)
    offices = [UserFactory(username=f"office-{i}", role=role, organisation=make_org(
        sd, kind, code=f"O-{i}", name=f"办公室{i}"))
        for i, (role, kind) in enumerate([(Role.EDUCATION, OrgType.EDUCATION_OFFICE),
                                          (Role.GOVERNANCE, OrgType.GOVERNANCE_OFFICE)] * (AT_ONCE // 2))]
    hazard = services.hazard_report(actor=admin, unit=unit, title="配电箱未上锁")
    # The unit admin assigns it from two tabs at once: both succeed in turn or one is refused, never a crash.
    twice = _together([(admin, f"/api/v1/hazards/{hazard.pk}/assign/", {"responsible": "电工"})] * 2)
    assert {a.status_code for a in twice} <= {200, 409}, [a.content for a in twice]
    services.hazard_rectify(actor=admin, hazard=Hazard.objects.get(pk=hazard.pk), rectification="已加锁")

    answers = _together([(office, f"/api/v1/hazards/{hazard.pk}/close/", {}) for office in offices])
    assert Counter(a.status_code for a in answers) == {200: 1, 409: AT_ONCE - 1}, [a.content for a in answers]
    assert all(a.json()["code"] == "invalid_transition" for a in answers if a.status_code == 409)
    assert HazardEvent.objects.filter(hazard=hazard, action="close").count() == 1
    assert Hazard.objects.get(pk=hazard.pk).status == "closed"
