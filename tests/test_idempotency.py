"""Issue #11: gate POSTs are safe to retry. The key is claimed before the work, in the work's transaction;
the races themselves are in ``races/test_idempotency_race.py`` (real threads, both databases)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from huxiao.alarms.models import Alarm
from huxiao.core import idempotency
from huxiao.core.models import IdempotencyKey
from huxiao.gate.models import Visit
from tests.conftest import api_as
from tests.factories import Cast, resident_id, years_ago

# Every POST a guard's tablet sends at the gate, with a body that works for the cast's unit A.
GATE_POSTS = ["/api/v1/alarms/", "/api/v1/visits/", "/api/v1/check-ins/", "/api/v1/handovers/"]


def _body(path: str, cast: Cast) -> dict:
    unit = cast.unit_a.pk
    return {
        "/api/v1/alarms/": {"unit": unit, "kind": "button"},
        "/api/v1/visits/": {"unit": unit, "id_type": "resident_id", "id_number": resident_id(years_ago(40), 5),
                            "name": "访客", "purpose": "送货"},
        "/api/v1/check-ins/": {"unit": unit},
        "/api/v1/handovers/": {"unit": unit, "to_guard": cast.users["guard"].pk, "notes": "交接"},
    }[path]


@pytest.mark.django_db
@pytest.mark.parametrize("path", GATE_POSTS)
def test_every_gate_post_answers_a_retry_with_the_first_answer(cast: Cast, path: str) -> None:
    guard = api_as(cast.users["guard"])
    first = guard.post(path, _body(path, cast), format="json", HTTP_IDEMPOTENCY_KEY=f"k-{path}")
    retry = guard.post(path, _body(path, cast), format="json", HTTP_IDEMPOTENCY_KEY=f"k-{path}")
    assert retry.status_code == first.status_code and retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.filter(key=f"k-{path}").count() == 1


@pytest.mark.django_db
def test_a_server_error_stores_no_answer_and_leaves_nothing_half_written(cast: Cast, monkeypatch) -> None:
    """A 5xx may be retried for real: the claim rolls back with the work."""
    from huxiao.alarms import services

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        Alarm.objects.create(unit=cast.unit_a, kind="button", raised_at=timezone.now())  # then it fails
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(services, "alarm_raise", broken)
    before = Alarm.objects.count()
    guard = api_as(cast.users["guard"])
    guard.raise_request_exception = False
    failed = guard.post("/api/v1/alarms/", {"unit": cast.unit_a.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-500")
    assert failed.status_code == 500
    assert Alarm.objects.count() == before and not IdempotencyKey.objects.filter(key="k-500").exists()
    monkeypatch.undo()
    again = guard.post("/api/v1/alarms/", {"unit": cast.unit_a.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-500")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again


@pytest.mark.django_db
def test_a_key_for_another_body_and_an_overlong_key_are_refused(cast: Cast) -> None:
    guard = api_as(cast.users["guard"])
    body = _body("/api/v1/visits/", cast)
    assert guard.post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-v").status_code == 201
    other = guard.post("/api/v1/visits/", {**body, "name": "另一人"}, format="json", HTTP_IDEMPOTENCY_KEY="k-v")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    long = guard.post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 101)
    assert long.status_code == 400 and set(long.json()) == {"code", "detail", "fields"}
    assert Visit.objects.filter(name__in=["访客", "另一人"]).count() == 1


@pytest.mark.django_db
def test_old_keys_are_purged_by_a_job(cast: Cast, settings) -> None:  # type: ignore[no-untyped-def]
    from huxiao.core.tasks import purge_idempotency_keys

    guard = cast.users["guard"]
    old = IdempotencyKey.objects.create(user=guard, key="old", request_hash="x", status_code=201, body={})
    fresh = IdempotencyKey.objects.create(user=guard, key="fresh", request_hash="x", status_code=201, body={})
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    assert settings.HUXIAO_IDEMPOTENCY_HOURS == 24
    purge_idempotency_keys.call_local()
    assert list(IdempotencyKey.objects.filter(pk__in=[old.pk, fresh.pk]).values_list("key", flat=True)) == ["fresh"]
    assert idempotency.purge_expired() == 0  # twice is harmless
