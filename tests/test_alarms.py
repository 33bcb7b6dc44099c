"""F-TECH-3 alarms (issue #5, first part): raised, stored, pushed to who may see them, acknowledged once,
escalated when nobody answers; the live stream replays from Last-Event-ID and pushes what follows."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from huxiao.alarms import services
from huxiao.alarms.models import Alarm
from huxiao.core.asgi_handler import HuxiaoASGIHandler
from huxiao.core.models import ApiToken, Role
from huxiao.notify.models import Notification
from tests.asgi import http_scope, one_request, shut_pool
from tests.conftest import Cast, api_as


@pytest.mark.django_db
def test_a_guard_raises_an_alarm_and_the_unit_police_and_duty_desk_are_told(cast: Cast) -> None:
    guard = cast.users["guard"]
    answer = api_as(guard).post("/api/v1/alarms/", {"unit": cast.unit_a.pk, "kind": "button", "note": "门口持刀"},
                                format="json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert {"id", "unit", "kind", "raised_at"} <= set(body) and body["unit"] == cast.unit_a.pk
    told = set(Notification.objects.filter(kind="alarm.raised").values_list("user__role", flat=True))
    assert told == {Role.UNIT_ADMIN, Role.POLICE, Role.SUBDISTRICT_ADMIN}
    # Who may see it: the unit's staff, its police, its sub-district; not another unit, nor a parent.
    for name, sees in (("police", True), ("admin", True), ("unit_admin", True), ("foreign_b", False),
                       ("guardian", False), ("admin_far", False)):
        ids = [a["id"] for a in api_as(cast.users[name]).get("/api/v1/alarms/").json()["results"]]
        assert (body["id"] in ids) is sees, name


@pytest.mark.django_db
def test_bad_alarms_are_refused_with_the_error_shape(cast: Cast) -> None:
    before = Alarm.objects.count()
    other_unit = api_as(cast.users["foreign_b"]).post("/api/v1/alarms/", {"unit": cast.unit_a.pk}, format="json")
    assert other_unit.status_code == 400 and other_unit.json()["code"] == "invalid"
    bad_kind = api_as(cast.users["guard"]).post("/api/v1/alarms/", {"unit": cast.unit_a.pk, "kind": "meteor"},
                                                format="json")
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()["fields"]
    police = api_as(cast.users["police"]).post("/api/v1/alarms/", {"unit": cast.unit_a.pk}, format="json")
    assert police.status_code == 403
    assert Alarm.objects.count() == before


@pytest.mark.django_db
def test_acknowledged_once_and_escalated_only_when_nobody_answers(cast: Cast) -> None:
    first = services.alarm_raise(actor=cast.users["guard"], unit=cast.unit_a)
    second = services.alarm_raise(actor=cast.users["guard"], unit=cast.unit_a)
    police = api_as(cast.users["police"])
    ack = police.post(f"/api/v1/alarms/{first.pk}/acknowledge/")
    assert ack.status_code == 200 and ack.json()["step"] == "acknowledged"
    again = api_as(cast.users["admin"]).post(f"/api/v1/alarms/{first.pk}/acknowledge/")
    assert again.status_code == 409 and again.json()["code"] == "already_recorded"
    assert api_as(cast.users["guard"]).post(f"/api/v1/alarms/{second.pk}/acknowledge/").status_code == 403
    assert services.alarm_escalate(first.pk) is False  # acknowledged in time
    assert services.alarm_escalate(second.pk) is True
    assert services.alarm_escalate(second.pk) is False  # once
    assert Notification.objects.filter(kind="alarm.escalated").exists()
    # Escalated, not acknowledged: the police cannot skip to "on scene" (issue #11: steps keep their order).
    skipped = police.post(f"/api/v1/alarms/{second.pk}/on-scene/")
    assert skipped.status_code == 409 and skipped.json()["code"] == "step_out_of_order"
    assert skipped.json()["next_step"] == "acknowledged" and "接警" in skipped.json()["detail"]
    second.refresh_from_db()
    assert second.acknowledged_at is None and second.on_scene_at is None


@pytest.mark.django_db
def test_steps_keep_their_order_and_nobody_is_told_of_an_acknowledgement_that_never_happened(cast: Cast) -> None:
    """Issue #11: closing an alarm nobody acknowledged used to stamp every step at once, and the guard's
    screen said the police had acknowledged. Every step out of order is 409 with the error shape, writes
    nothing, and names the step that comes next; in order, each is recorded once, with its audit entry."""
    from auditlog.models import LogEntry
    from rest_framework.test import APIClient

    alarm = services.alarm_raise(actor=cast.users["guard"], unit=cast.unit_a)
    police = APIClient()  # a real token, as the console's integrators use: the audit entry names the actor
    police.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(cast.users['police'])[1]}")
    paths = {"acknowledged": "acknowledge", "dispatched": "dispatch", "on_scene": "on-scene",
             "controlled": "controlled", "closed": "close"}
    steps = list(paths)
    for done, step in enumerate(steps):
        for later in steps[done + 1:]:  # every step after the next one is refused
            refused = police.post(f"/api/v1/alarms/{alarm.pk}/{paths[later]}/")
            assert refused.status_code == 409, (step, later)
            assert refused.json() == {"code": "step_out_of_order", "detail": refused.json()["detail"],
                                      "next_step": step}
        answer = police.post(f"/api/v1/alarms/{alarm.pk}/{paths[step]}/")
        assert answer.status_code == 200 and answer.json()["step"] == step
        assert answer.json()["next_step"] == (steps[done + 1] if done + 1 < len(steps) else None)
        again = police.post(f"/api/v1/alarms/{alarm.pk}/{paths[step]}/")
        assert again.status_code == 409 and again.json()["code"] == "already_recorded"
    alarm.refresh_from_db()
    stamps = [getattr(alarm, f"{step}_at") for step in steps]
    assert all(stamps) and stamps == sorted(stamps)
    entries = LogEntry.objects.get_for_object(alarm).filter(action=LogEntry.Action.UPDATE)
    changed = [set(entry.changes_dict) for entry in entries.order_by("timestamp", "pk")]
    assert changed == [{"acknowledged_at", "acknowledged_by"}, {"dispatched_at"}, {"on_scene_at"},
                       {"controlled_at"}, {"closed_at"}]
    assert {entry.actor_id for entry in entries} == {cast.users["police"].pk}


@pytest.mark.django_db
def test_a_closed_alarm_leaves_the_live_list_and_every_alert_strip(cast: Cast) -> None:
    from django.utils import timezone

    from tests.test_force import page_for

    alarm = services.alarm_raise(actor=cast.users["guard"], unit=cast.unit_a)
    other = services.alarm_raise(actor=cast.users["guard"], unit=cast.unit_a, note="另一处")
    admin_page = page_for(cast.users["unit_admin"])
    assert "data-testid=\"alert-banner\"" in admin_page.get("/notifications/live/").content.decode()
    for step in ("acknowledged", "dispatched", "on_scene", "controlled", "closed"):
        services.alarm_step(actor=cast.users["police"], alarm=alarm, step=step)
    # The closed alarm's alerts are over for everyone; the other alarm's still show.
    open_refs = set(Notification.objects.filter(read_at__isnull=True, level="alert").values_list("ref", flat=True))
    assert services.alarm_ref(alarm.pk) not in open_refs and services.alarm_ref(other.pk) in open_refs
    assert services.alarm_escalate(other.pk) is True  # its escalation alerts leave the strips with it
    for step in ("acknowledged", "dispatched", "on_scene", "controlled", "closed"):
        services.alarm_step(actor=cast.users["police"], alarm=other, step=step)
    for name in ("unit_admin", "police", "admin"):
        live = page_for(cast.users[name]).get("/notifications/live/").content.decode()
        assert "alert-banner" not in live, name
    console = page_for(cast.users["police"]).get("/alarms/").content.decode()
    live_list = console.split('data-testid="alarm-list"')[1].split('data-testid="closed-list"')[0]
    assert f'data-alarm="{alarm.pk}"' not in live_list
    assert f'data-alarm="{alarm.pk}"' in console.split('data-testid="closed-list"')[1]
    assert alarm.closed_at and timezone.localtime(alarm.closed_at).date() == timezone.localdate()


def _events(chunks: list[bytes]) -> list[tuple[str, dict[str, Any], str | None]]:
    out = []
    for block in b"".join(chunks).decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"]), fields.get("id")))
    return out


@pytest.mark.django_db(transaction=True)
def test_the_stream_replays_from_last_event_id_then_pushes_alarms_and_their_steps() -> None:
    from tests.factories import build_cast, load_cast

    cast = load_cast() or build_cast()
    guard, police = cast.users["guard"], cast.users["police"]
    missed = services.alarm_raise(actor=guard, unit=cast.unit_a, note="before the console connected")
    _, key = ApiToken.issue(police)
    executor = ThreadPoolExecutor(max_workers=2)
    app = HuxiaoASGIHandler(executor)
    chunks: list[bytes] = []
    disconnect = asyncio.Event()

    async def scenario() -> None:
        scope = http_scope("GET", "/api/v1/alarms/stream/", [(b"authorization", f"Token {key}".encode()),
                                                             (b"last-event-id", str(missed.pk - 1).encode())])

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                assert message["status"] == 200 and (b"content-type", b"text/event-stream") in [
                    (k.lower(), v.split(b";")[0]) for k, v in message["headers"]]
            chunks.append(message.get("body", b""))

        async def wait_for(predicate: Any) -> None:
            for _ in range(100):
                if predicate(_events(chunks)):
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(_events(chunks))

        stream = asyncio.create_task(app(scope, one_request(disconnect=disconnect), send))
        await wait_for(lambda ev: any(e[2] == str(missed.pk) for e in ev))
        live = await sync_to_async(lambda: services.alarm_raise(actor=guard, unit=cast.unit_a, note="live"))()
        await wait_for(lambda ev: any(e[0] == "alarm" and e[1]["id"] == live.pk for e in ev))
        # F-NOTIFY over the same stream: the officer's own notification of it, and nobody else's.
        await wait_for(lambda ev: any(e[0] == "notification" and e[1]["kind"] == "alarm.raised" for e in ev))
        await sync_to_async(lambda: services.alarm_step(actor=police, alarm=live, step="acknowledged"))()
        await wait_for(lambda ev: any(e[0] == "alarm_step" and e[1]["id"] == live.pk
                                      and e[1]["step"] == "acknowledged" for e in ev))
        disconnect.set()
        await asyncio.wait_for(stream, 10)
        # The stream's queries ran on asgiref's sync thread: close that thread's connection too.
        await sync_to_async(connections.close_all)()

    try:
        asyncio.run(scenario())
        events = _events(chunks)
        alarm_ids = [e[1]["id"] for e in events if e[0] == "alarm"]
        assert alarm_ids == sorted(set(alarm_ids)) and missed.pk in alarm_ids  # each once, in order
        assert {"id", "unit", "kind", "raised_at"} <= set(events[0][1]) and "subdistrict" not in events[0][1]
        notified = {e[1]["id"] for e in events if e[0] == "notification"}
        assert notified and notified <= set(Notification.objects.filter(user=police).values_list("pk", flat=True))
    finally:
        shut_pool(executor, 2)


@pytest.mark.django_db
def test_the_stream_wants_credentials(client: Any) -> None:
    answer = client.get("/api/v1/alarms/stream/")
    assert answer.status_code == 401 and answer.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_the_stream_filters_pushed_events_by_the_same_rule_as_the_lists(cast: Cast) -> None:
    """``unit_matcher`` (what the stream pushes) agrees with ``unit_scope`` (what lists show), every role and
    every unit of the cast."""
    from huxiao.core.models import Unit
    from huxiao.core.scoping import unit_matcher, unit_scope

    for user in cast.users.values():
        match = unit_matcher(user)
        for unit in (cast.unit_a, cast.unit_b, cast.unit_far):
            alarm = Alarm(pk=1, unit=unit, kind="button")
            event = services.event_of(alarm, unit)
            assert match(event) is Unit.objects.filter(unit_scope(user, "pk"), pk=unit.pk).exists(), (
                user.username, unit.code)


@pytest.mark.django_db
def test_an_alarm_also_goes_out_by_e_mail_and_sms_to_those_with_an_address(
        cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    from django.core import mail

    from huxiao.core.models import User
    from huxiao.notify.sms import MemoryBackend

    police = cast.users["police"]
    User.objects.filter(pk=police.pk).update(email="officer@example.org")
    police.refresh_from_db()
    police.phone = "13800138000"
    police.save()
    mail.outbox.clear()
    MemoryBackend.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.alarm_raise(actor=cast.users["guard"], unit=cast.unit_a, note="门口可疑人员")
    assert any(m.to == ["officer@example.org"] and cast.unit_a.name in m.subject for m in mail.outbox)
    assert any(phone == "13800138000" and cast.unit_a.name in text for phone, text in MemoryBackend.outbox)


@pytest.mark.django_db
def test_the_time_to_acknowledge_is_the_sub_districts_parameter(cast: Cast) -> None:
    from huxiao.compliance.models import RuleParameter

    assert services.ack_seconds(cast.sd.pk) == 60  # FEATURES.md §4 default
    answer = api_as(cast.users["admin"]).patch("/api/v1/compliance/parameters/", {"values": {"alarms.ack_seconds": 30}},
                                               format="json")
    assert answer.status_code == 200, answer.content
    assert RuleParameter.objects.get(subdistrict=cast.sd, key="alarms.ack_seconds").value == 30
    assert services.ack_seconds(cast.sd.pk) == 30 and services.ack_seconds(cast.sd2.pk) == 60


@pytest.mark.django_db
def test_the_incident_is_described_and_reviewed_once_closed(cast: Cast) -> None:
    """F-EMRG-3: type, severity, place, description, the timeline with response times, the review."""
    alarm = services.alarm_raise(actor=cast.users["guard"], unit=cast.unit_a)
    police = api_as(cast.users["police"])
    described = police.post(f"/api/v1/alarms/{alarm.pk}/incident/", {
        "severity": "critical", "place": "东门", "description": "一名男子持械试图闯入"}, format="json")
    assert described.status_code == 200 and described.json()["severity"] == "critical"
    early = police.post(f"/api/v1/alarms/{alarm.pk}/incident/", {"review": "处置得当"}, format="json")
    assert early.status_code == 400 and "review" in early.json()["fields"]
    for step in ("acknowledge", "dispatch", "on-scene", "controlled", "close"):
        assert police.post(f"/api/v1/alarms/{alarm.pk}/{step}/").status_code == 200
    reviewed = police.post(f"/api/v1/alarms/{alarm.pk}/incident/", {"review": "民警 4 分钟到场，门卫处置得当。"},
                           format="json").json()
    assert reviewed["review"].startswith("民警") and reviewed["reviewed_at"]
    assert set(reviewed["response_seconds"]) == {"acknowledged", "dispatched", "on_scene", "controlled", "closed"}
    assert all(v is not None and v >= 0 for v in reviewed["response_seconds"].values())
    assert api_as(cast.users["guard"]).post(f"/api/v1/alarms/{alarm.pk}/incident/", {"place": "x"},
                                            format="json").status_code == 403
    assert api_as(cast.users["police"]).post(f"/api/v1/alarms/{alarm.pk}/incident/", {"severity": "apocalyptic"},
                                             format="json").status_code == 400


def test_a_console_open_all_day_forgets_settled_alarms() -> None:
    """The stream's memory of what it sent stays small: alarms raised over a minute ago raise the floor."""
    from datetime import timedelta as td

    from django.utils import timezone as tz

    from huxiao.alarms.stream import _settle

    old = (tz.localtime() - td(minutes=5)).isoformat()
    fresh = tz.localtime().isoformat()
    sent = {5: old, 7: old, 9: fresh}
    assert _settle(3, sent) == 7 and sent == {9: fresh}
    assert _settle(7, {}) == 7


@pytest.mark.django_db(transaction=True)
def test_a_deactivated_account_stops_hearing_alarms(settings: Any) -> None:
    """A stream outlives its request: when the account is deactivated, the stream ends at its next catch-up."""
    from huxiao.core.models import User
    from tests.factories import build_cast, load_cast

    settings.HUXIAO_SSE_CATCH_UP_SECONDS = 1
    cast = load_cast() or build_cast()
    police = cast.users["police"]
    _, key = ApiToken.issue(police)
    executor = ThreadPoolExecutor(max_workers=1)
    app = HuxiaoASGIHandler(executor)
    scope = http_scope("GET", "/api/v1/alarms/stream/", [(b"authorization", f"Token {key}".encode())])
    messages: list[dict[str, Any]] = []

    async def scenario() -> None:
        async def send(message: dict[str, Any]) -> None:
            messages.append(message)

        stream = asyncio.create_task(app(scope, one_request(), send))
        await asyncio.sleep(0.5)
        assert not stream.done()
        await sync_to_async(lambda: User.objects.filter(pk=police.pk).update(is_active=False))()
        await asyncio.wait_for(stream, 5)  # ended by the server, not by the client
        await sync_to_async(connections.close_all)()

    try:
        asyncio.run(scenario())
        assert messages[0]["status"] == 200 and messages[-1].get("more_body") in (False, None)
    finally:
        User.objects.filter(pk=police.pk).update(is_active=True)
        shut_pool(executor, 1)


@pytest.mark.django_db
def test_the_console_answers_an_unknown_step_or_a_second_press_with_a_message(cast: Cast) -> None:
    from tests.test_force import page_for

    alarm = services.alarm_raise(actor=cast.users["guard"], unit=cast.unit_a)
    console = page_for(cast.users["police"])
    unknown = console.post(f"/alarms/{alarm.pk}/teleported/", follow=True)
    assert unknown.status_code == 200 and "未知的处置环节" in unknown.content.decode()
    assert console.post(f"/alarms/{alarm.pk}/acknowledged/").status_code == 302
    again = console.post(f"/alarms/{alarm.pk}/acknowledged/", follow=True)
    assert again.status_code == 200 and "已于" in again.content.decode()
    alarm.refresh_from_db()
    assert alarm.step == "acknowledged"
