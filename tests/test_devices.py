"""F-TECH-1 devices and F-TECH-2 device events (issue #5, must-show 4): a device posts heartbeats and
alarms with its own token; bad input (unknown token, malformed body, a replayed event) is refused with
the error shape and writes nothing; a silent device goes offline and is alerted; the four device rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from huxiao.alarms.models import Alarm, DeviceEvent
from huxiao.compliance.engine import refresh_unit
from huxiao.compliance.models import Result
from huxiao.devices import services as device_services
from huxiao.devices.models import Device
from huxiao.notify.models import Notification
from tests.conftest import Cast, api_as

pytestmark = pytest.mark.django_db


def device_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
    return client


def add_device(cast: Cast, **fields: object) -> tuple[dict, str]:
    body = {"unit": cast.unit_a.pk, "kind": "alarm_button", "location": "gate", "installed_on": "2025-03-01",
            "networked_on": "2025-03-10", "heartbeat_seconds": 60, **fields}
    answer = api_as(cast.users["unit_admin"]).post("/api/v1/devices/", body, format="json")
    assert answer.status_code == 201, answer.content
    data = answer.json()
    return data, data["token"]


def test_the_unit_admin_adds_a_device_and_its_token_is_shown_once(cast: Cast) -> None:
    data, token = add_device(cast, label="门卫室按钮")
    assert token.startswith("hxd_") and data["online"] is False
    listed = api_as(cast.users["unit_admin"]).get("/api/v1/devices/", {"unit": cast.unit_a.pk}).json()["results"]
    assert all(d["token"] is None for d in listed) and any(d["id"] == data["id"] for d in listed)
    stored = Device.objects.get(pk=data["id"])
    assert token not in (stored.token_digest or "") and stored.token_prefix == token[:8]
    # Another unit's admin neither sees nor adds at this unit.
    assert api_as(cast.users["foreign_b"]).get(f"/api/v1/devices/{data['id']}/").status_code == 404
    assert api_as(cast.users["guard"]).post("/api/v1/devices/", {
        "unit": cast.unit_a.pk, "kind": "camera", "location": "gate", "installed_on": "2025-03-01"},
        format="json").status_code == 403


def test_heartbeats_and_an_alarm_from_a_device(cast: Cast) -> None:
    data, token = add_device(cast)
    now = timezone.now()
    beat = device_client(token).post("/api/v1/device-events/", {"type": "heartbeat", "at": now.isoformat()},
                                     format="json")
    assert beat.status_code == 201 and beat.json()["alarm"] is None
    assert Device.objects.get(pk=data["id"]).online
    alarm = device_client(token).post("/api/v1/device-events/", {"type": "alarm", "at": now.isoformat()},
                                      format="json")
    assert alarm.status_code == 201, alarm.content
    opened = Alarm.objects.get(pk=alarm.json()["alarm"])
    assert opened.device_id == data["id"] and opened.kind == "button" and opened.raised_by is None
    assert Notification.objects.filter(kind="alarm.raised", unit=cast.unit_a).exists()


def test_bad_device_input_is_refused_with_the_error_shape_and_writes_nothing(cast: Cast) -> None:
    _data, token = add_device(cast)
    now = timezone.now().isoformat()
    before = (DeviceEvent.objects.count(), Alarm.objects.count())
    cases = [
        (device_client("hxd_not-a-real-token"), {"type": "alarm", "at": now}, 401, "invalid_device_token"),
        (device_client("something-else"), {"type": "alarm", "at": now}, 401, "invalid_device_token"),
        (APIClient(), {"type": "alarm", "at": now}, 401, "not_authenticated"),
        (device_client(token), {"type": "fire", "at": now}, 400, "invalid"),
        (device_client(token), {"type": "alarm"}, 400, "invalid"),
        (device_client(token), {"type": "alarm", "at": "yesterday"}, 400, "invalid"),
        (device_client(token), {"type": "alarm", "at": now, "extra": 1}, 400, "invalid"),
        (device_client(token), {"type": "alarm", "at": (timezone.now() - timedelta(hours=3)).isoformat()}, 400,
         "invalid"),
    ]
    for client, body, status, code in cases:
        answer = client.post("/api/v1/device-events/", body, format="json")
        assert answer.status_code == status, (body, answer.content)
        assert answer.json()["code"] == code and "detail" in answer.json(), answer.json()
    malformed = device_client(token).post("/api/v1/device-events/", b'{"type": "alarm", "at": ',
                                          content_type="application/json")
    assert malformed.status_code == 400 and malformed.json()["code"] == "parse_error"
    # A person's API token is not a device's.
    person = api_as(cast.users["guard"]).post("/api/v1/device-events/", {"type": "alarm", "at": now}, format="json")
    assert person.status_code in {401, 403} and "code" in person.json()
    assert (DeviceEvent.objects.count(), Alarm.objects.count()) == before
    # A replayed event: accepted once, then 409, and the alarm is not raised twice.
    first = device_client(token).post("/api/v1/device-events/", {"type": "alarm", "at": now}, format="json")
    again = device_client(token).post("/api/v1/device-events/", {"type": "alarm", "at": now}, format="json")
    assert first.status_code == 201 and again.status_code == 409 and again.json()["code"] == "replayed_event"
    assert Alarm.objects.count() == before[1] + 1 and DeviceEvent.objects.count() == before[0] + 1
    # A withdrawn device's token stops working.
    Device.objects.filter(token_prefix=token[:8]).update(status="removed")
    gone = device_client(token).post("/api/v1/device-events/", {"type": "heartbeat", "at": now}, format="json")
    assert gone.status_code == 401


def test_a_silent_device_goes_offline_once_is_alerted_and_comes_back(cast: Cast) -> None:
    data, token = add_device(cast)
    device = Device.objects.get(pk=data["id"])
    Device.objects.filter(pk=device.pk).update(last_seen_at=timezone.now() - timedelta(seconds=200))
    assert device_services.devices_offline_check() == 1
    assert device_services.devices_offline_check() == 0  # told once
    assert Device.objects.get(pk=device.pk).offline_since is not None
    assert Notification.objects.filter(kind="device.offline", unit=cast.unit_a).exists()
    refresh_unit(cast.unit_a.pk)
    assert Result.objects.get(unit=cast.unit_a, rule="devices.online").status == "fail"
    device_client(token).post("/api/v1/device-events/", {"type": "heartbeat", "at": timezone.now().isoformat()},
                              format="json")
    assert Device.objects.get(pk=device.pk).offline_since is None
    refresh_unit(cast.unit_a.pk)
    assert Result.objects.get(unit=cast.unit_a, rule="devices.online").status == "pass"


def test_the_device_rules_fail_then_pass_as_a_unit_installs_and_networks(cast: Cast) -> None:
    unit = cast.unit_a
    Device.objects.filter(unit=unit).delete()
    refresh_unit(unit.pk)
    status = dict(Result.objects.filter(unit=unit, rule__startswith="devices.").values_list("rule", "status"))
    assert status["devices.coverage"] == "fail" and status["devices.networked"] == "fail"
    add_device(cast, kind="camera", location="gate")
    add_device(cast, kind="alarm_button", location="gate")
    add_device(cast, kind="perimeter_alarm", location="perimeter_wall")
    if unit.boarding:
        add_device(cast, kind="camera", location="dormitory")
    refresh_unit(unit.pk)
    status = dict(Result.objects.filter(unit=unit, rule__startswith="devices.").values_list("rule", "status"))
    assert status == {"devices.coverage": "pass", "devices.networked": "pass", "devices.deadline": "pass",
                      "devices.online": "pass"}, status
