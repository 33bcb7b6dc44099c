"""F-PREV-2 hazards (隐患排查整改): the closed loop reported → assigned → rectified → closed (or sent back),
its permissions, its evidence photos, rule hazards.overdue and the escalation job; and (issue #13 must-show 2)
a hypothesis state machine: no sequence of actions by any role reaches a state the workflow forbids, and
every transition leaves a history row."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from rest_framework.test import APIClient

from huxiao.compliance.models import Result
from huxiao.core.models import ApiToken
from huxiao.hazards import services
from huxiao.hazards.models import Hazard, HazardEvent, HazardStatus
from huxiao.notify.models import Notification
from tests.conftest import Cast, api_as

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def token_client(user: Any) -> APIClient:
    """As an integrator calls: a real token, so the audit log records who (force_authenticate would not)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user)[1]}")
    return client


def report(cast: Cast, role: str = "guard", **extra: Any) -> Any:
    body = {"unit": cast.unit_a.pk, "title": "三楼楼梯扶手松动", "location": "教学楼三楼", "priority": "high",
            **extra}
    return api_as(cast.users[role]).post("/api/v1/hazards/", body, format="json")


def test_the_loop_from_a_guard_s_report_to_the_education_office_s_verification(cast: Cast) -> None:
    # A guard reports a hazard: the unit admin hears of it.
    made = report(cast)
    assert made.status_code == 201, made.content
    hazard = made.json()
    assert hazard["status"] == "reported" and hazard["actions"] == []  # a guard reports, nothing more
    assert Notification.objects.filter(user=cast.users["unit_admin"], kind="hazard").exists()
    admin = token_client(cast.users["unit_admin"])
    url = f"/api/v1/hazards/{hazard['id']}"
    assert admin.get(f"{url}/").json()["actions"] == ["assign"]
    # The unit admin assigns it; the deadline follows the priority (high: 3 days).
    assigned = admin.post(f"{url}/assign/", {"responsible": "后勤主任 王强"}, format="json")
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["deadline"] == (timezone.localdate() + timedelta(days=3)).isoformat()
    # and rectifies it with a photo (multipart, as a tablet's camera sends it).
    photo = SimpleUploadedFile("IMG_0001.jpg", JPEG, content_type="image/jpeg")
    rectified = admin.post(f"{url}/rectify/", {"rectification": "更换扶手螺栓并加固", "photo": photo},
                           format="multipart")
    assert rectified.status_code == 200, rectified.content
    assert Notification.objects.filter(user=cast.users["education"], kind="hazard").exists()
    # The unit cannot sign off its own repair; the education office verifies and closes it.
    assert admin.post(f"{url}/close/", {}, format="json").status_code == 403
    closed = token_client(cast.users["education"]).post(f"{url}/close/", {"note": "现场核查合格"}, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed" and closed.json()["closed_by"] == cast.users["education"].pk
    # Every step is in the history, the photo under a name of our own, served only to who sees the hazard.
    history = admin.get(f"{url}/history/").json()
    assert [e["action"] for e in history] == ["report", "assign", "rectify", "close"]
    assert [(e["from_status"], e["to_status"]) for e in history] == [
        ("", "reported"), ("reported", "assigned"), ("assigned", "rectified"), ("rectified", "closed")]
    event = HazardEvent.objects.get(hazard_id=hazard["id"], action="rectify")
    assert event.photo.name.endswith(".jpg") and "IMG_0001" not in event.photo.name
    client = Client()
    client.force_login(cast.users["education"])
    photo_url = history[2]["photo"]
    served = client.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == JPEG
    client.force_login(cast.users["admin_far"])
    assert client.get(photo_url).status_code == 404
    # and each change is in the audit log, by its actor.
    actors = set(LogEntry.objects.get_for_object(Hazard.objects.get(pk=hazard["id"]))
                 .values_list("actor__username", flat=True))
    assert {cast.users["unit_admin"].username, cast.users["education"].username} <= actors


def test_a_transition_out_of_order_is_a_409_naming_what_may_come_next(cast: Cast) -> None:
    hazard = report(cast).json()
    admin = api_as(cast.users["unit_admin"])
    refused = admin.post(f"/api/v1/hazards/{hazard['id']}/rectify/", {"rectification": "已处理"}, format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "invalid_transition" and body["status"] == "reported" and body["allowed"] == ["assign"]
    assert HazardEvent.objects.filter(hazard_id=hazard["id"]).count() == 1


def test_sent_back_it_goes_to_the_unit_again_with_the_reason(cast: Cast) -> None:
    hazard = report(cast, role="unit_admin").json()
    url = f"/api/v1/hazards/{hazard['id']}"
    admin = api_as(cast.users["unit_admin"])
    admin.post(f"{url}/assign/", {"responsible": "王强", "priority": "low"}, format="json")
    admin.post(f"{url}/rectify/", {"rectification": "贴了警示标识"}, format="json")
    governance = api_as(cast.users["governance"])
    assert governance.post(f"{url}/send-back/", {"note": ""}, format="json").json()["fields"]["note"]
    back = governance.post(f"{url}/send-back/", {"note": "扶手未更换，仅贴标识不合格"}, format="json")
    assert back.status_code == 200 and back.json()["status"] == "assigned" and back.json()["rectification"] == ""
    assert admin.get(f"{url}/").json()["actions"] == ["assign", "rectify"]


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_written(cast: Cast) -> None:
    hazard = report(cast, role="unit_admin").json()
    url = f"/api/v1/hazards/{hazard['id']}"
    admin = api_as(cast.users["unit_admin"])
    admin.post(f"{url}/assign/", {"responsible": "王强"}, format="json")
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    refused = admin.post(f"{url}/rectify/", {"rectification": "已处理", "photo": fake}, format="multipart")
    assert refused.status_code == 400 and "photo" in refused.json()["fields"], refused.content
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    assert admin.post(f"{url}/rectify/", {"rectification": "已处理", "photo": big},
                      format="multipart").status_code == 400
    assert Hazard.objects.get(pk=hazard["id"]).status == "assigned"
    assert HazardEvent.objects.filter(hazard_id=hazard["id"]).count() == 2


def test_the_street_s_hazards_are_verified_by_the_police(cast: Cast) -> None:
    unit = cast.unit_a
    police, admin = cast.users["police"], cast.users["unit_admin"]
    hazard = services.hazard_report(actor=police, unit=unit, title="校门口黑车揽客", source="traffic",
                                    source_ref="traffic:test")
    # Opened twice by the same report, it is still one hazard.
    assert services.hazard_report(actor=police, unit=unit, title="again", source="traffic",
                                  source_ref="traffic:test").pk == hazard.pk
    services.hazard_assign(actor=admin, hazard=hazard, responsible="安全主任")
    services.hazard_rectify(actor=admin, hazard=hazard, rectification="设置隔离护栏，错峰放学")
    assert services.actions_for(police, hazard) == ["close", "send_back"]
    services.hazard_close(actor=police, hazard=hazard)
    assert Hazard.objects.get(pk=hazard.pk).status == "closed"


def test_hazards_overdue_fails_and_the_job_escalates_each_hazard_once(cast: Cast) -> None:
    unit = cast.unit_a
    Hazard.objects.filter(unit=unit).delete()
    admin = cast.users["unit_admin"]
    hazard = services.hazard_report(actor=admin, unit=unit, title="食堂灭火器过期")
    assert Result.objects.get(unit=unit, rule="hazards.overdue").status == "warn"  # reported, not assigned
    services.hazard_assign(actor=admin, hazard=hazard, responsible="食堂主管", priority="high")
    assert Result.objects.get(unit=unit, rule="hazards.overdue").status == "pass"
    Hazard.objects.filter(pk=hazard.pk).update(deadline=timezone.localdate() - timedelta(days=2))
    from huxiao.compliance.engine import refresh_unit

    refresh_unit(unit.pk)
    result = Result.objects.get(unit=unit, rule="hazards.overdue")
    assert result.status == "fail"
    assert timezone.localtime(result.since).date() == timezone.localdate() - timedelta(days=1)
    assert services.hazards_escalate() == 1
    assert services.hazards_escalate() == 0  # once
    assert Notification.objects.filter(user=cast.users["admin"], kind="hazard_overdue", level="alert").count() == 1
    assert HazardEvent.objects.filter(hazard=hazard, action="escalate").count() == 1
    # Rectified, it is the offices' turn: the unit is no longer late.
    services.hazard_rectify(actor=admin, hazard=Hazard.objects.get(pk=hazard.pk), rectification="已更换")
    assert Result.objects.get(unit=unit, rule="hazards.overdue").status == "pass"


def test_roles_outside_the_unit_do_not_see_or_move_its_hazards(cast: Cast) -> None:
    hazard = report(cast).json()
    for role in ("admin_far", "patrol", "guardian", "bus_attendant"):
        client = api_as(cast.users[role])
        assert client.get(f"/api/v1/hazards/{hazard['id']}/").status_code == 404, role
        assert client.post(f"/api/v1/hazards/{hazard['id']}/assign/", {"responsible": "x"},
                           format="json").status_code == 404, role
    # A teacher sees it and may report, not assign.
    teacher = api_as(cast.users["teacher"])
    assert teacher.post(f"/api/v1/hazards/{hazard['id']}/assign/", {"responsible": "x"},
                        format="json").status_code == 403


def test_bad_input_is_a_400_with_the_fields_and_writes_nothing(cast: Cast) -> None:
    before = Hazard.objects.count()
    for body in ({"title": ""}, {"priority": "urgent"}, {"source": "inspection"}, {"title": "x" * 201},
                 {"unit": cast.unit_b.pk}):
        response = report(cast, role="unit_admin", **body)
        assert response.status_code == 400, (body, response.content)
        assert response.json()["code"] == "invalid" and response.json()["fields"], body
    assert Hazard.objects.count() == before


# --- Must-show 2: the state machine ---------------------------------------------------------------------

ROLES = ["unit_admin", "guard", "teacher", "education", "governance", "admin", "supervisor", "police", "admin_far",
         "patrol"]
ACTIONS = ["assign", "rectify", "close", "send_back"]
ALLOWED = {  # the workflow of FEATURES.md F-PREV-2, written out independently of services.TRANSITIONS
    ("reported", "assign"): "assigned", ("assigned", "assign"): "assigned",
    ("assigned", "rectify"): "rectified", ("rectified", "close"): "closed", ("rectified", "send_back"): "assigned",
}
MAY = {"assign": {"unit_admin", "education", "governance", "admin"}, "rectify": {"unit_admin"},
       "close": {"education", "governance", "admin"}, "send_back": {"education", "governance", "admin"}}


def test_no_sequence_of_actions_by_any_role_leaves_the_workflow(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    from huxiao.core.errors import Conflict

    class HazardLoop(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.hazard = services.hazard_report(actor=cast.users["guard"], unit=cast.unit_a, title="状态机")
            self.expected = "reported"
            self.moves = 0

        @rule(role=st.sampled_from(ROLES), name=st.sampled_from(ACTIONS))
        def act(self, role: str, name: str) -> None:
            user = cast.users[role]
            hazard = Hazard.objects.get(pk=self.hazard.pk)
            kwargs: dict[str, Any] = {"assign": {"responsible": "王强"}, "rectify": {"rectification": "已处理"},
                                      "close": {}, "send_back": {"note": "不合格"}}[name]
            service = {"assign": services.hazard_assign, "rectify": services.hazard_rectify,
                       "close": services.hazard_close, "send_back": services.hazard_send_back}[name]
            target = ALLOWED.get((self.expected, name))
            try:
                service(actor=user, hazard=hazard, **kwargs)
            except PermissionDenied:
                assert role not in MAY[name], (role, name)
                return
            except Conflict as exc:
                assert target is None, (self.expected, name)
                assert exc.extra["status"] == self.expected
                return
            except ValidationError as exc:  # pragma: no cover - would be a defect in the inputs above
                raise AssertionError(exc) from exc
            assert role in MAY[name] and target is not None, (role, name, self.expected)
            self.expected = target
            self.moves += 1

        @invariant()
        def the_row_and_its_history_agree(self) -> None:
            hazard = Hazard.objects.get(pk=self.hazard.pk)
            assert hazard.status == self.expected
            events = list(HazardEvent.objects.filter(hazard=hazard).order_by("at", "id"))
            assert len(events) == 1 + self.moves  # the report, then one row per transition
            assert all(a.to_status == b.from_status for a, b in pairwise(events))
            assert events[-1].to_status == hazard.status
            if hazard.status != HazardStatus.REPORTED:
                assert hazard.deadline and hazard.responsible
            if hazard.status == HazardStatus.CLOSED:
                assert hazard.closed_by is not None and hazard.closed_by.role in {"education", "governance",
                                                                                   "subdistrict_admin"}

    run_state_machine_as_test(HazardLoop, settings=settings(
        max_examples=25, stateful_step_count=12, deadline=None, derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
