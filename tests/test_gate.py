"""F-GATE-1 and F-GATE-2: visitors and the dismissal, through the API, as the gate lives them."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from huxiao.gate.models import Child, Delegation, PickupPerson, RefusedPickup, Release, SchoolClass, Visit
from huxiao.gate.services import pickup as pickup_services
from huxiao.notify.models import Notification
from tests.conftest import api_as
from tests.factories import Cast, UserFactory, WindowFactory, resident_id, years_ago

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def family(cast: Cast) -> dict:
    """A child of unit A with her mother (authorised, with a card) and a stranger's card of another child."""
    teacher = cast.users["teacher"]
    klass = SchoolClass.objects.create(unit=cast.unit_a, name="中二班", teacher=teacher)
    child = Child.objects.create(unit=cast.unit_a, school_class=klass, name="李小雨")
    mother = pickup_services.pickup_person_add(actor=cast.users["unit_admin"], child=child, name="王芳",
                                               relation="母亲", id_number=resident_id(years_ago(34), 402))
    other = Child.objects.create(unit=cast.unit_a, school_class=klass, name="张小明")
    stranger = pickup_services.pickup_person_add(actor=cast.users["unit_admin"], child=other, name="赵某",
                                                 relation="舅舅", id_number=resident_id(years_ago(40), 411))
    return {"child": child, "mother": mother, "other": other, "stranger": stranger, "class": klass}


def release(client, **body):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/pickups/", body, format="json")


def counts() -> tuple[int, int, int]:
    return Release.objects.count(), RefusedPickup.objects.count(), PickupPerson.objects.count()


def test_a_card_releases_the_child_once_and_the_second_guard_hears_who_took_her(cast: Cast, family: dict) -> None:
    guard = api_as(cast.users["guard"])
    first = release(guard, child=family["child"].pk, credential=family["mother"].credential)
    assert first.status_code == 201, first.content
    assert first.json()["decision"] == "released" and "王芳" in first.json()["taken_by"]
    second_guard = UserFactory(username="ka-guard-2", role="guard", organisation=cast.unit_a, full_name="二号门卫")
    again = release(api_as(second_guard), child=family["child"].pk, person=family["mother"].pk)
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "already_released" and "王芳" in body["released_by"]
    assert body["released_at"] == first.json()["released_at"]
    assert "王芳" in body["detail"]
    assert Release.objects.filter(child=family["child"]).count() == 1


def test_a_stranger_is_refused_recorded_and_the_unit_admin_and_police_alerted(cast: Cast, family: dict) -> None:
    guard = api_as(cast.users["guard"])
    refused = release(guard, child=family["child"].pk, credential=family["stranger"].credential)
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_authorised"
    assert "赵某" not in refused.json()["detail"]  # the guard sees the decision, not the story
    assert not Release.objects.exists()
    attempt = RefusedPickup.objects.get()
    assert attempt.child == family["child"] and "赵某" in attempt.reason
    alerted = set(Notification.objects.filter(kind="pickup.refused", level="alert").values_list(
        "user__username", flat=True))
    assert alerted == {"ka-admin", "officer"}


def test_a_units_record_of_the_day_shows_the_police_its_refused_attempts_and_nothing_else(
        cast: Cast, family: dict) -> None:
    """The officers alerted of a refusal follow it up on the unit's page: the refused attempts, through the
    same scoping as every list (``RefusedPickup.scope_filter``); the releases stay the unit's."""
    from django.test import Client

    from huxiao.gate.models import RefusedPickup as Refused

    guard = api_as(cast.users["guard"])
    assert release(guard, child=family["child"].pk, credential=family["stranger"].credential).status_code == 403
    assert release(guard, child=family["child"].pk, person=family["mother"].pk).status_code == 201
    url = f"/units/{cast.unit_a.pk}/pickups/"

    def page(role: str) -> tuple[int, str]:
        client = Client()
        client.force_login(cast.users[role])
        response = client.get(url)
        return response.status_code, response.content.decode()

    status, officer = page("police")
    assert status == 200 and "赵某" in officer and "王芳" not in officer
    status, admin = page("unit_admin")
    assert status == 200 and "赵某" in admin and "王芳" in admin
    assert Refused.objects.visible_to(cast.users["police"]).count() == 1
    other_station = UserFactory(username="officer-2", role="police", organisation=cast.unit_b.police_station)
    assert not Refused.objects.visible_to(other_station).exists()
    assert not Refused.objects.visible_to(cast.users["patrol"]).exists()
    assert page("bus_attendant")[0] == 403


@pytest.mark.parametrize(("case", "code", "status"), [
    ("malformed_qr", "invalid", 400),
    ("revoked", "credential_revoked", 403),
    ("expired_delegation", "delegation_expired", 403),
    ("wrong_code", "not_authorised", 403),
    ("wrong_check_digit", "invalid", 400),
    ("two_ways", "invalid", 400),
])
def test_bad_pickups_are_refused_with_a_clear_error_and_no_release(cast: Cast, family: dict, case: str, code: str,
                                                                   status: int) -> None:
    guard = api_as(cast.users["guard"])
    child = family["child"]
    yesterday = timezone.localdate() - timedelta(days=1)
    aunt_id = resident_id(years_ago(45), 433)
    delegation = Delegation.objects.create(child=child, unit=cast.unit_a, name="刘阿姨", id_number=aunt_id,
                                           date=yesterday, code="654321", requested_by="母亲",
                                           created_by=cast.users["teacher"])
    body: dict = {"child": child.pk}
    if case == "malformed_qr":
        body["credential"] = "http://example.com/not-ours"
    elif case == "revoked":
        pickup_services.pickup_person_revoke(actor=cast.users["unit_admin"], person=family["mother"])
        body["credential"] = family["mother"].credential
    elif case == "expired_delegation":
        body |= {"delegation_code": "654321", "id_number": aunt_id}
    elif case == "wrong_code":
        body |= {"delegation_code": "000001", "id_number": aunt_id}
    elif case == "wrong_check_digit":
        body |= {"delegation_code": "654321", "id_number": aunt_id[:17] + ("0" if aunt_id[17] != "0" else "1")}
    elif case == "two_ways":
        body |= {"person": family["mother"].pk, "credential": family["mother"].credential}
    response = release(guard, **body)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code and response.json()["detail"]
    if status == 400:
        assert response.json()["fields"]
        assert not RefusedPickup.objects.exists()
    assert not Release.objects.exists()
    Delegation.objects.filter(pk=delegation.pk).update(date=timezone.localdate())
    assert Delegation.objects.get(pk=delegation.pk).used_at is None


@pytest.mark.parametrize(("id_number", "field"), [
    (lambda: resident_id(years_ago(15), 444), "id_number"),               # a minor
    (lambda: resident_id(years_ago(30), 444)[:17] + "Y", "id_number"),    # not an ID
    (lambda: "330106199001011235", "id_number"),                           # wrong check digit
])
def test_pickup_persons_are_adults_with_valid_ids(cast: Cast, family: dict, id_number, field: str) -> None:  # type: ignore[no-untyped-def]
    before = counts()
    response = api_as(cast.users["unit_admin"]).post("/api/v1/pickup-persons/", {
        "child": family["child"].pk, "name": "某人", "relation": "哥哥", "id_number": id_number()}, format="json")
    assert response.status_code == 400 and field in response.json()["fields"], response.content
    assert counts() == before


def test_a_delegation_code_and_id_release_once_on_its_day(cast: Cast, family: dict) -> None:
    teacher = api_as(cast.users["teacher"])
    aunt_id = resident_id(years_ago(50), 455)
    made = teacher.post("/api/v1/delegations/", {
        "child": family["child"].pk, "name": "刘阿姨", "id_number": aunt_id, "date": timezone.localdate().isoformat(),
        "requested_by": "王芳（母亲）电话告知"}, format="json")
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    assert len(code) == 6 and code.isdigit()
    assert teacher.get(f"/api/v1/delegations/{made.json()['id']}/").json()["code"] is None  # shown once
    guard = api_as(cast.users["guard"])
    wrong_person = release(guard, child=family["child"].pk, delegation_code=code,
                           id_number=resident_id(years_ago(50), 466))
    assert wrong_person.status_code == 403
    ok = release(guard, child=family["child"].pk, delegation_code=code, id_number=aunt_id)
    assert ok.status_code == 201 and "刘阿姨" in ok.json()["taken_by"]
    assert Delegation.objects.get(pk=made.json()["id"]).used_at is not None
    # Another teacher's class: not this teacher's to delegate.
    other_class = SchoolClass.objects.create(unit=cast.unit_a, name="大三班")
    child_b = Child.objects.create(unit=cast.unit_a, school_class=other_class, name="陈小宝")
    refused = teacher.post("/api/v1/delegations/", {
        "child": child_b.pk, "name": "x", "id_number": aunt_id, "date": timezone.localdate().isoformat(),
        "requested_by": "x"}, format="json")
    assert refused.status_code == 403


def test_a_retried_request_returns_the_first_answer_and_changes_nothing(cast: Cast, family: dict) -> None:
    guard = api_as(cast.users["guard"])
    body = {"child": family["child"].pk, "credential": family["mother"].credential}
    first = guard.post("/api/v1/pickups/", body, format="json", HTTP_IDEMPOTENCY_KEY="tablet-7-0001")
    retry = guard.post("/api/v1/pickups/", body, format="json", HTTP_IDEMPOTENCY_KEY="tablet-7-0001")
    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json() and retry["Idempotent-Replayed"] == "true"
    assert Release.objects.count() == 1
    other = guard.post("/api/v1/pickups/", {"child": family["other"].pk, "person": family["stranger"].pk},
                       format="json", HTTP_IDEMPOTENCY_KEY="tablet-7-0001")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    # A refused attempt retried is recorded once.
    stranger = {"child": family["child"].pk, "credential": family["stranger"].credential}
    for _ in range(3):
        assert guard.post("/api/v1/pickups/", stranger, format="json",
                          HTTP_IDEMPOTENCY_KEY="tablet-7-0002").status_code == 403
    assert RefusedPickup.objects.count() == 1


def test_children_are_seen_only_by_their_units_staff(cast: Cast, family: dict) -> None:
    for role in ("admin", "education", "police", "supervisor"):
        listed = api_as(cast.users[role]).get("/api/v1/children/").json()["results"]
        assert listed == [], role
    names = {c["name"] for c in api_as(cast.users["guard"]).get("/api/v1/children/?page_size=500").json()["results"]}
    assert {"李小雨", "张小明"} <= names and not any("OTHER" in n for n in names)


# --- visitors -------------------------------------------------------------------------------------------

def at(hh: int, mm: int) -> datetime:
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday() + 7)
    return datetime.combine(monday, time(hh, mm), tzinfo=SH)


@pytest.fixture
def timetable(cast: Cast) -> None:
    WindowFactory(unit=cast.unit_a, kind="class", start=time(8, 30), end=time(11, 30))
    WindowFactory(unit=cast.unit_a, kind="dismissal", start=time(16, 0), end=time(17, 0))


def visitor(**extra):  # type: ignore[no-untyped-def]
    return {"id_type": "resident_id", "id_number": resident_id(years_ago(45), 501), "name": "孙师傅",
            "phone": "13912345678", "purpose": "维修空调", **extra}


def test_visitors_outside_class_hours_are_admitted_and_checked_out(cast: Cast, timetable: None) -> None:
    from huxiao.gate.services import visits

    visit = visits.visit_register(actor=cast.users["guard"], unit=cast.unit_a, at=at(14, 0), **visitor())
    assert visit.status == "admitted"
    client = api_as(cast.users["guard"])
    inside = client.get(f"/api/v1/visits/?unit={cast.unit_a.pk}&status=admitted").json()["results"]
    assert any(v["id"] == visit.pk and v["id_number_masked"].startswith("330106") for v in inside)
    assert client.post(f"/api/v1/visits/{visit.pk}/checkout/").json()["decision"] == "left"
    assert client.post(f"/api/v1/visits/{visit.pk}/checkout/").status_code == 409


def test_in_class_hours_the_host_decides(cast: Cast, timetable: None) -> None:
    from huxiao.gate.services import visits

    teacher = cast.users["teacher"]
    waiting = visits.visit_register(actor=cast.users["guard"], unit=cast.unit_a, at=at(9, 0), host=teacher,
                                    **visitor())
    assert waiting.status == "awaiting_host"
    note = Notification.objects.get(user=teacher, kind="visit.awaiting_host")
    assert "孙师傅" in note.body
    answered = api_as(teacher).post(f"/api/v1/visits/{waiting.pk}/answer/", {"approve": True}, format="json")
    assert answered.status_code == 200 and answered.json()["decision"] == "admitted"
    again = api_as(teacher).post(f"/api/v1/visits/{waiting.pk}/answer/", {"approve": False}, format="json")
    assert again.status_code == 409
    no_host = visits.visit_register(actor=cast.users["guard"], unit=cast.unit_a, at=at(9, 5), **visitor())
    assert no_host.status == "refused" and Visit.objects.filter(status="refused").count() == 1


def test_a_block_list_hit_refuses_and_alerts_at_once(cast: Cast) -> None:
    admin = api_as(cast.users["unit_admin"])
    person_id = resident_id(years_ago(38), 777)
    assert admin.post("/api/v1/block-list/", {"unit": cast.unit_a.pk, "name": "某甲", "id_number": person_id,
                                              "reason": "人民法院人身安全保护令"}, format="json").status_code == 201
    response = api_as(cast.users["guard"]).post("/api/v1/visits/", {"unit": cast.unit_a.pk, **visitor(
        id_number=person_id, name="某甲")}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["decision"] == "refused"
    assert body["reason"] == "不得放行。已通知警方。"
    assert "法院" not in body["reason"]  # the guard is not told why
    alerted = set(Notification.objects.filter(kind="visit.blocked").values_list("user__username", flat=True))
    assert alerted == {"ka-admin", "officer"}
    assert api_as(cast.users["guard"]).get("/api/v1/block-list/").json()["results"] == []


def test_a_wrong_check_digit_is_a_clear_error_and_no_visit(cast: Cast) -> None:
    before = Visit.objects.count()
    bad = resident_id(years_ago(45), 501)
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    response = api_as(cast.users["guard"]).post("/api/v1/visits/", {"unit": cast.unit_a.pk, **visitor(
        id_number=bad)}, format="json")
    assert response.status_code == 400 and "id_number" in response.json()["fields"]
    assert "校验码" in response.json()["fields"]["id_number"][0]
    assert Visit.objects.count() == before


# --- guard duty (F-GATE-4) -------------------------------------------------------------------------------

def test_a_round_in_order_is_complete_and_a_skipped_checkpoint_is_flagged(cast: Cast) -> None:
    from huxiao.compliance import engine
    from huxiao.core.models import Unit
    from huxiao.gate.models import Checkpoint, PatrolRound
    from huxiao.gate.services import duty

    Checkpoint.objects.filter(unit=cast.unit_a).delete()
    PatrolRound.objects.filter(unit=cast.unit_a).delete()
    admin, guard = cast.users["unit_admin"], cast.users["guard"]
    points = [duty.checkpoint_add(actor=admin, unit=cast.unit_a, name=n) for n in ("正门", "北墙", "操场")]
    client = api_as(guard)
    yesterday = timezone.localtime() - timedelta(days=1)
    for p in points:
        duty.checkpoint_scan(actor=guard, token=p.token, at=yesterday)
    first = PatrolRound.objects.get(guard=guard)
    assert first.status == "complete" and first.missed == []
    # Second round: the north wall skipped.
    duty.checkpoint_scan(actor=guard, token=points[0].token, at=yesterday + timedelta(hours=1))
    response = client.post("/api/v1/patrol-scans/", {"token": points[2].token}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "incomplete"
    assert response.json()["missed"] == ["北墙", "操场"]  # skipped, and reached out of order
    again = client.post("/api/v1/patrol-scans/", {"token": "HXC-not-ours"}, format="json")
    assert again.status_code == 400 and "token" in again.json()["fields"]
    verdict = engine.evaluate(Unit.objects.filter(pk=cast.unit_a.pk))[(cast.unit_a.pk, "patrol.rounds")]
    assert verdict.status == "fail"  # one complete round yesterday, five required
    assert verdict.evidence[0]["a"]["done"] == 1


def test_patrol_pages(cast: Cast) -> None:
    from django.test import Client

    client = Client()
    client.force_login(cast.users["guard"])
    assert client.get("/gate/patrol/").status_code == 200
    client.force_login(cast.users["unit_admin"])
    page = client.get(f"/units/{cast.unit_a.pk}/patrol/")
    assert page.status_code == 200 and b"<svg" in page.content  # the printable checkpoint codes


def test_when_dismissal_closes_the_children_still_waiting_are_listed_and_teachers_told(cast: Cast,
                                                                                        family: dict) -> None:
    from huxiao.gate.models import DismissalClosed
    from huxiao.gate.services.pickup import dismissals_close

    window = WindowFactory(unit=cast.unit_a, kind="dismissal", start=time(16, 0), end=time(17, 0))
    day = timezone.localdate()
    weekday_date = day - timedelta(days=(day.isoweekday() - 3) % 7)  # a Wednesday, not a holiday
    at_release = datetime.combine(weekday_date, time(16, 10), tzinfo=SH)
    pickup_services.pickup_release(actor=cast.users["guard"], child=family["child"], person=family["mother"],
                                   at=at_release)
    closed_at = datetime.combine(weekday_date, time(17, 2), tzinfo=SH)
    assert dismissals_close(now=closed_at) == 1
    assert dismissals_close(now=closed_at) == 0  # once
    record = DismissalClosed.objects.get(window=window, day=weekday_date)
    names = {w["name"] for w in record.waiting}
    assert "张小明" in names and "李小雨" not in names
    note = Notification.objects.get(user=cast.users["teacher"], kind="dismissal.waiting", title__contains="中二班")
    assert "张小明" in note.body and "李小雨" not in note.body


def test_the_visitor_page_refuses_an_unknown_id_type_instead_of_crashing(cast: Cast) -> None:
    from django.test import Client

    client = Client()
    client.force_login(cast.users["guard"])
    before = Visit.objects.count()
    response = client.post("/gate/visitors/", {**visitor(), "id_type": "laser"})
    assert response.status_code == 400 and Visit.objects.count() == before


def test_a_card_scanned_before_the_page_script_is_ready_is_still_looked_up(cast: Cast, family: dict) -> None:
    """A USB scanner can type a card and press Enter before htmx has taken over the form: the browser then
    sends it as a plain GET to the screen itself, which answers with the card on the page."""
    from django.test import Client

    client = Client()
    client.force_login(cast.users["guard"])
    page = client.get("/gate/pickup/", {"q": family["mother"].credential}).content.decode()
    assert 'data-testid="card-person"' in page and "王芳" in page and "李小雨" in page
    unknown = client.get("/gate/pickup/", {"q": "HXP-not-a-real-card-0000000"}).content.decode()
    assert 'data-testid="card-unknown"' in unknown
    by_name = client.get("/gate/pickup/", {"q": "李小雨"}).content.decode()
    assert f'data-testid="child-{family["child"].pk}"' in by_name
    assert 'data-testid="card-person"' not in client.get("/gate/pickup/").content.decode()


# --- issue #11: the pick-up screen as a guard uses it -------------------------------------------------------

def _dismissal(cast: Cast, open_: bool) -> None:
    """A dismissal window open now at unit A (or none), whatever the hour the suite runs at."""
    from huxiao.timetable.models import TimetableWindow
    from huxiao.timetable.selectors import forget_windows

    TimetableWindow.objects.filter(unit=cast.unit_a).delete()
    if open_:
        WindowFactory(unit=cast.unit_a, kind="dismissal", weekdays="1234567", start=time(0, 0),
                      end=time(23, 59, 59, 999999))
    forget_windows(cast.unit_a.pk)


def _delegation(cast: Cast, family: dict) -> tuple[Delegation, str, str]:
    aunt_id = resident_id(years_ago(45), 462)
    delegation, code = pickup_services.delegation_create(
        actor=cast.users["teacher"], child=family["child"], name="刘阿姨", id_number=aunt_id,
        date=timezone.localdate(), requested_by="母亲电话告知")
    return delegation, code, aunt_id


def test_the_gate_screen_offers_the_delegate_and_releases_by_code_and_id_once(cast: Cast, family: dict) -> None:
    from auditlog.models import LogEntry

    from tests.test_force import page_for

    _dismissal(cast, open_=True)
    delegation, code, aunt_id = _delegation(cast, family)
    screen = page_for(cast.users["guard"])
    # By name: the child's card offers today's delegate, with fields for the code and the ID.
    by_name = screen.get("/gate/pickup/lookup/", {"q": "李小雨"}).content.decode()
    assert f'data-testid="child-delegation-{delegation.pk}"' in by_name and "刘阿姨" in by_name
    # By code: the delegate says the code; the screen shows whom it names and for which child.
    by_code = screen.get("/gate/pickup/lookup/", {"q": code}).content.decode()
    assert f'data-testid="delegation-{delegation.pk}"' in by_code and "李小雨" in by_code
    assert aunt_id not in by_code and aunt_id not in by_name  # the ID is checked, never shown
    wrong = screen.post("/gate/pickup/release/", {"child": family["child"].pk, "delegation_code": code,
                                                  "id_number": resident_id(years_ago(50), 466)})
    assert 'data-testid="outcome-refused"' in wrong.content.decode()
    ok = screen.post("/gate/pickup/release/", {"child": family["child"].pk, "delegation_code": code,
                                               "id_number": aunt_id})
    assert 'data-testid="outcome-released"' in ok.content.decode() and "刘阿姨" in ok.content.decode()
    delegation.refresh_from_db()
    assert delegation.used_at is not None
    used = LogEntry.objects.get_for_object(delegation).filter(action=LogEntry.Action.UPDATE).get()
    assert set(used.changes_dict) == {"used_at"} and used.actor_id == cast.users["guard"].pk
    again = screen.post("/gate/pickup/release/", {"child": family["child"].pk, "delegation_code": code,
                                                  "id_number": aunt_id})
    assert 'data-testid="outcome-already"' in again.content.decode()
    assert Release.objects.filter(child=family["child"]).count() == 1
    # A used delegation is no longer offered by name, and by code it says the child has gone.
    by_name = screen.get("/gate/pickup/lookup/", {"q": "李小雨"}).content.decode()
    assert f"child-delegation-{delegation.pk}" not in by_name
    assert 'data-testid="delegation-already"' in screen.get("/gate/pickup/lookup/", {"q": code}).content.decode()
    unknown = screen.get("/gate/pickup/lookup/", {"q": "000000" if code != "000000" else "111111"})
    assert 'data-testid="delegation-unknown"' in unknown.content.decode()


def test_the_api_releases_by_delegation_once(cast: Cast, family: dict) -> None:
    _unused, code, aunt_id = _delegation(cast, family)
    guard = api_as(cast.users["guard"])
    first = release(guard, child=family["child"].pk, delegation_code=code, id_number=aunt_id)
    assert first.status_code == 201 and first.json()["decision"] == "released"
    again = release(guard, child=family["child"].pk, delegation_code=code, id_number=aunt_id)
    assert again.status_code == 409 and again.json()["code"] == "already_released"
    missing = release(guard, child=family["child"].pk, delegation_code=code)
    assert missing.status_code == 400 and "id_number" in missing.json()["fields"]


def test_a_card_whose_child_has_gone_says_so_before_any_release_button(cast: Cast, family: dict) -> None:
    from tests.test_force import page_for

    _dismissal(cast, open_=True)
    assert release(api_as(cast.users["guard"]), child=family["child"].pk,
                   credential=family["mother"].credential).status_code == 201
    page = page_for(cast.users["guard"]).get("/gate/pickup/lookup/", {"q": family["mother"].credential})
    html = page.content.decode()
    assert 'data-testid="card-already"' in html and "王芳" in html
    assert f'data-testid="release-{family["child"].pk}"' not in html


def test_a_release_outside_dismissal_asks_first_and_is_recorded_as_early(cast: Cast, family: dict) -> None:
    from tests.test_force import page_for

    _dismissal(cast, open_=False)
    screen = page_for(cast.users["guard"])
    body = {"child": family["child"].pk, "credential": family["mother"].credential}
    asked = screen.post("/gate/pickup/release/", body).content.decode()
    assert 'data-testid="outcome-confirm-early"' in asked and 'name="confirm_early"' in asked
    assert not Release.objects.exists()
    done = screen.post("/gate/pickup/release/", {**body, "confirm_early": "1"}).content.decode()
    assert 'data-testid="outcome-early"' in done
    assert Release.objects.get().early is True
    # In a dismissal window: released at once, not early.
    _dismissal(cast, open_=True)
    other = pickup_services.pickup_person_add(actor=cast.users["unit_admin"], child=family["other"], name="张伟",
                                              relation="父亲", id_number=resident_id(years_ago(38), 433))
    answer = api_as(cast.users["guard"]).post("/api/v1/pickups/", {"child": family["other"].pk,
                                                                   "person": other.pk}, format="json")
    assert answer.status_code == 201 and answer.json()["early"] is False


def test_the_guard_checks_in_from_the_gate_screen_in_one_tap(cast: Cast) -> None:
    from huxiao.force.models import CheckIn
    from huxiao.timetable.models import TimetableWindow
    from huxiao.timetable.selectors import forget_windows
    from tests.test_force import page_for

    TimetableWindow.objects.filter(unit=cast.unit_a).delete()
    WindowFactory(unit=cast.unit_a, kind="arrival", weekdays="1234567", start=time(0, 0),
                  end=time(23, 59, 59, 999999))
    forget_windows(cast.unit_a.pk)
    screen = page_for(cast.users["guard"])
    tap = screen.post("/gate/check-in/", HTTP_HX_REQUEST="true")
    html = tap.content.decode()
    assert tap.status_code == 200 and 'data-testid="checkin-state"' in html and "签到" in html
    assert CheckIn.objects.filter(user=cast.users["guard"]).count() == 1
    again = screen.post("/gate/check-in/", HTTP_HX_REQUEST="true").content.decode()
    assert 'aria-pressed="true"' in again
    assert CheckIn.objects.filter(user=cast.users["guard"]).count() == 1
    assert 'aria-pressed="true"' in screen.get("/gate/").content.decode()  # the tile remembers


def test_the_guards_navigation_shows_only_what_a_guard_uses(cast: Cast) -> None:
    from tests.test_force import page_for

    html = page_for(cast.users["guard"]).get("/gate/").content.decode()
    nav = html.split('id="mainnav"')[1].split("</ul>")[0]
    for href in ("/gate/pickup/", "/gate/visitors/", "/gate/patrol/"):
        assert f'href="{href}"' in nav
    for href in ("/compliance/", "/units/", "/api/docs/", "/audit/"):
        assert f'href="{href}"' not in nav, href
