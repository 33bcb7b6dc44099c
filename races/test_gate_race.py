"""F-GATE-2, issue #4 must-show 2: twenty guards release the same child at the same moment, two hundred
times over. Exactly one 201 each time, the others 409 naming who took the child; never a 5xx. Real threads,
real connections, on whichever database the suite runs on (SQLite in WAL mode, and PostgreSQL in CI)."""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import date

import pytest
from django.db import connections
from rest_framework.test import APIClient
from tests.factories import UnitFactory, UserFactory, make_org, make_subdistrict, resident_id

from huxiao.core.models import Role
from huxiao.gate.models import Child, PickupPerson, Release, SchoolClass

THREADS = 20
ROUNDS = int(os.environ.get("HUXIAO_RACE_ROUNDS", "200"))


@pytest.mark.django_db(transaction=True)
def test_twenty_guards_release_the_same_child_at_once_exactly_one_wins() -> None:
    sd = make_subdistrict("SD-R", "竞态街道")
    community = make_org(sd, "community", code="C-R", name="竞态社区")
    unit = UnitFactory(code="KR", parent=community, subdistrict=sd)
    guards = [UserFactory(username=f"race-guard-{i}", role=Role.GUARD, organisation=unit) for i in range(THREADS)]
    klass = SchoolClass.objects.create(unit=unit, name="大一班")
    children = Child.objects.bulk_create([Child(unit=unit, school_class=klass, name=f"孩子{i}")
                                          for i in range(ROUNDS)])
    persons = [PickupPerson.objects.create(child=child, unit=unit, name=f"家长{i}", relation="父亲",
                                           id_number=resident_id(date(1988, 1, 1), i), birth_date=date(1988, 1, 1),
                                           credential=f"HXP-race-{i:06d}-credential00",
                                           credential_issued_at="2026-01-01T00:00:00+08:00")
               for i, child in enumerate(children)]
    barrier = threading.Barrier(THREADS)
    results: list[list[int]] = [[0] * THREADS for _ in range(ROUNDS)]
    bodies: dict[int, dict] = {}
    errors: list[BaseException] = []

    def guard_at_the_gate(index: int) -> None:
        client = APIClient()
        client.force_authenticate(guards[index])
        try:
            for r in range(ROUNDS):
                barrier.wait(timeout=60)
                response = client.post("/api/v1/pickups/", {"child": children[r].pk, "person": persons[r].pk},
                                       format="json")
                results[r][index] = response.status_code
                if response.status_code == 409 and r not in bodies:
                    bodies[r] = response.json()
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guard_at_the_gate, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    for r, statuses in enumerate(results):
        tally = Counter(statuses)
        assert tally[201] == 1 and tally[409] == THREADS - 1, f"round {r}: {dict(tally)}"
    assert Release.objects.count() == ROUNDS
    some = next(iter(bodies.values()))
    assert some["code"] == "already_released" and some["released_by"].startswith("家长")
