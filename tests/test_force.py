"""F-FORCE-1…7: the security force through the API and the pages — history, bad input, permissions,
check-ins and the visibility rate."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from huxiao.compliance import engine
from huxiao.compliance.models import Result
from huxiao.core.models import Unit
from huxiao.force import services
from huxiao.force.models import CheckIn, CheckInPoint, Equipment, EscortDuty, Guard, PoliceAssignment
from huxiao.force.selectors import visibility_counts
from tests.conftest import api_as
from tests.factories import Cast, UnitFactory, WindowFactory, resident_id, years_ago

SH = ZoneInfo("Asia/Shanghai")


def page_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def counts() -> tuple[int, int, int]:
    return Guard.objects.count(), Equipment.objects.count(), PoliceAssignment.objects.count()


# --- F-FORCE-1 ---------------------------------------------------------------------------------------

def test_a_new_duty_officer_ends_the_previous_assignment_and_history_is_kept(cast: Cast) -> None:
    police = api_as(cast.users["police"])
    today = timezone.localdate()
    first = police.post("/api/v1/police-assignments/", {
        "unit": cast.unit_a.pk, "officer_name": "钱警官", "badge_no": "041300", "phone": "13900001234",
        "start_date": today.isoformat()}, format="json")
    assert first.status_code == 201, first.content
    history = police.get(f"/api/v1/police-assignments/?unit={cast.unit_a.pk}").json()["results"]
    assert [(h["officer_name"], h["current"]) for h in history] == [("钱警官", True), ("HOMEUNIT-officer", False)]
    assert history[1]["end_date"] == (today - timedelta(days=1)).isoformat()
    # Not before the current one's start; and ending it makes police.assigned fail from the next day.
    early = police.post("/api/v1/police-assignments/", {
        "unit": cast.unit_a.pk, "officer_name": "孙警官", "badge_no": "041301", "phone": "13900001235",
        "start_date": (today - timedelta(days=5)).isoformat()}, format="json")
    assert early.status_code == 400 and "start_date" in early.json()["fields"]
    ended = police.post(f"/api/v1/police-assignments/{first.json()['id']}/end/",
                        {"end_date": (today - timedelta(days=1)).isoformat()}, format="json")
    assert ended.status_code == 400  # before it started
    ended = police.post(f"/api/v1/police-assignments/{first.json()['id']}/end/", {"end_date": today.isoformat()},
                        format="json")
    assert ended.status_code == 200 and ended.json()["end_date"] == today.isoformat()
    assert LogEntry.objects.get_for_object(PoliceAssignment.objects.get(pk=first.json()["id"])).filter(
        changes__icontains="end_date").exists()
    tomorrow = timezone.now() + timedelta(days=1)
    verdict = engine.evaluate(Unit.objects.filter(pk=cast.unit_a.pk), now=tomorrow)[(cast.unit_a.pk,
                                                                                      "police.assigned")]
    assert verdict.status == "fail" and verdict.since == today + timedelta(days=1)


def test_who_may_assign_police(cast: Cast) -> None:
    body = {"unit": cast.unit_a.pk, "officer_name": "x", "badge_no": "1", "phone": "13900001234",
            "start_date": timezone.localdate().isoformat()}
    assert api_as(cast.users["unit_admin"]).post("/api/v1/police-assignments/", body,
                                                 format="json").status_code == 403
    assert api_as(cast.users["guard"]).post("/api/v1/police-assignments/", body, format="json").status_code == 403
    # A unit the user cannot see reads as "does not exist": nothing tells it is there.
    foreign = api_as(cast.users["admin_far"]).post("/api/v1/police-assignments/", body, format="json")
    assert foreign.status_code == 400 and "unit" in foreign.json()["fields"]
    assert PoliceAssignment.objects.filter(unit=cast.unit_a).count() == 1


# --- F-FORCE-4: bad input is refused whole -----------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"name": "甲", "id_number": "330106196803021235"}, "id_number"),             # wrong check digit
    ({"name": "乙", "id_number": resident_id(years_ago(15))}, "birth_date"),     # a minor
    ({"name": "丙", "id_number": resident_id(date(1980, 1, 2)), "birth_date": "1980-01-03"}, "birth_date"),
    ({"name": "丁"}, "birth_date"),                                              # no birth date at all
    ({"name": "戊", "birth_date": "1980-01-01", "phone": "12"}, "phone"),
    ({"name": "己", "birth_date": "1980-01-01", "salary": 3000}, "salary"),      # unknown field
    ({"name": "", "birth_date": "1980-01-01"}, "name"),
])
def test_bad_guards_are_refused_with_the_field_and_nothing_is_written(cast: Cast, body: dict, field: str) -> None:
    before = counts()
    response = api_as(cast.users["unit_admin"]).post("/api/v1/guards/", {"unit": cast.unit_a.pk, **body},
                                                     format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and field in response.json()["fields"], response.json()
    assert counts() == before


def test_equipment_one_row_per_kind_and_positive_quantities(cast: Cast) -> None:
    client = api_as(cast.users["unit_admin"])
    again = client.post("/api/v1/equipment/", {"unit": cast.unit_a.pk, "kind": "baton", "quantity": 1},
                        format="json")
    assert again.status_code == 400 and "kind" in again.json()["fields"]
    negative = client.post("/api/v1/equipment/", {"unit": cast.unit_a.pk, "kind": "helmet", "quantity": -1},
                           format="json")
    assert negative.status_code == 400 and "quantity" in negative.json()["fields"]
    laser = client.post("/api/v1/equipment/", {"unit": cast.unit_a.pk, "kind": "laser", "quantity": 1},
                        format="json")
    assert laser.status_code == 400 and "kind" in laser.json()["fields"]
    baton = Equipment.objects.get(unit=cast.unit_a, kind="baton")
    moved = client.patch(f"/api/v1/equipment/{baton.pk}/", {"kind": "shield"}, format="json")
    assert moved.status_code == 400
    assert client.delete(f"/api/v1/equipment/{baton.pk}/").status_code == 204
    assert Result.objects.get(unit=cast.unit_a, rule="guards.equipment").status == "fail"


def test_guard_roles_cannot_change_the_registry(cast: Cast) -> None:
    guard = Guard.objects.get(unit=cast.unit_a)
    for role in ("guard", "teacher", "police", "education"):
        client = api_as(cast.users[role])
        assert client.patch(f"/api/v1/guards/{guard.pk}/", {"active": False}, format="json").status_code == 403
        assert client.delete(f"/api/v1/guards/{guard.pk}/").status_code == 403
    assert Guard.objects.get(pk=guard.pk).active


def test_guard_list_shows_masked_ids_and_ages_without_per_row_queries(cast: Cast) -> None:
    client = api_as(cast.users["admin"])
    for i in range(3):
        client.post("/api/v1/guards/", {"unit": cast.unit_a.pk, "name": f"保安{i}",
                                         "id_number": resident_id(years_ago(30 + i), int(f"{i}11"))}, format="json")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/guards/?page_size=500")
    for i in range(20):
        Guard.objects.create(unit=cast.unit_b, name=f"g{i}", birth_date=years_ago(40), id_number=resident_id(
            years_ago(40), i))
    with CaptureQueriesContext(connection) as many:
        body = client.get("/api/v1/guards/?page_size=500").json()
    assert len(few.captured_queries) == len(many.captured_queries)
    row = next(r for r in body["results"] if r["name"] == "保安0")
    assert row["age"] == 30 and row["id_number_masked"].startswith("330106") and "id_number" not in row


# --- F-FORCE-2: check-ins and the visibility rate ---------------------------------------------------

def at(day: date, hh: int, mm: int) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=SH)


def last_monday() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday() + 7)


def test_check_in_inside_a_window_once_outside_refused(cast: Cast) -> None:
    monday = last_monday()
    police = cast.users["police"]
    checkin = services.checkin_record(actor=police, unit=cast.unit_a, at=at(monday, 7, 40))
    assert checkin.role == "police" and checkin.window_kind == "arrival" and checkin.day == monday
    from django.core.exceptions import ValidationError

    from huxiao.core.errors import Conflict

    with pytest.raises(Conflict):
        services.checkin_record(actor=police, unit=cast.unit_a, at=at(monday, 8, 10))
    with pytest.raises(ValidationError):
        services.checkin_record(actor=police, unit=cast.unit_a, at=at(monday, 10, 0))
    with pytest.raises(ValidationError):  # a holiday has no windows
        services.checkin_record(actor=police, unit=cast.unit_a, at=at(date(2027, 1, 1), 7, 40))
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # the station of unit B is another
        services.checkin_record(actor=police, unit=cast.unit_b, at=at(monday, 7, 40))
    assert CheckIn.objects.filter(user=police).count() == 1


def test_check_in_by_qr_code_through_the_api(cast: Cast) -> None:
    point = CheckInPoint.objects.get(unit=cast.unit_a)
    client = api_as(cast.users["guard"])
    bad = client.post("/api/v1/check-ins/", {"token": "not-a-code"}, format="json")
    assert bad.status_code == 400 and "token" in bad.json()["fields"]
    both = client.post("/api/v1/check-ins/", {"token": point.token, "unit": cast.unit_a.pk}, format="json")
    assert both.status_code == 400
    # The guard sees the point but not its code: a code proves presence only if it is on the wall.
    listed = client.get("/api/v1/checkin-points/").json()["results"]
    assert listed and all(p["token"] is None for p in listed)
    admin_view = api_as(cast.users["unit_admin"]).get("/api/v1/checkin-points/").json()["results"]
    assert admin_view[0]["token"] == point.token
    rotated = api_as(cast.users["unit_admin"]).post(f"/api/v1/checkin-points/{point.pk}/rotate/")
    assert rotated.status_code == 200 and rotated.json()["token"] != point.token
    stale = client.post("/api/v1/check-ins/", {"token": point.token}, format="json")
    assert stale.status_code == 400


def test_visibility_counts_windows_with_police_and_skips_holidays_and_open_windows(cast: Cast) -> None:
    unit = UnitFactory(code="VIS", parent=cast.c1, subdistrict=cast.sd, police_station=cast.ps)
    WindowFactory(unit=unit, kind="arrival", start=time(7, 30), end=time(8, 30))
    WindowFactory(unit=unit, kind="dismissal", start=time(16, 0), end=time(17, 0))
    monday = last_monday()
    police = cast.users["police"]
    for day, hh in ((monday, 7), (monday, 16), (monday + timedelta(days=1), 7), (monday + timedelta(days=2), 16)):
        services.checkin_record(actor=police, unit=unit, at=at(day, hh, 45))
    from huxiao.timetable.models import Holiday

    Holiday.objects.create(unit=unit, date=monday + timedelta(days=3), name="假日")
    friday_noon = at(monday + timedelta(days=4), 12, 0)
    counts_ = visibility_counts([unit.pk], {unit.pk: (monday, monday + timedelta(days=6))}, friday_noon)
    # Mon–Wed: 6 windows, Thursday a holiday, Friday's arrival closed, its dismissal not yet.
    assert counts_[unit.pk] == (4, 7)
    response = api_as(cast.users["police"]).get(f"/api/v1/visibility/?week={monday.isoformat()}&unit={unit.pk}")
    assert response.status_code == 200
    row = response.json()["by_unit"][0]
    assert row["windows_seen"] == 4 and row["windows_scheduled"] == 8  # the whole week has passed now
    assert api_as(cast.users["police"]).get("/api/v1/visibility/?week=someday").status_code == 400


def test_relabelling_the_timetable_keeps_duties_and_check_ins(cast: Cast) -> None:
    window = cast.unit_a.timetable_windows.get()
    duty = EscortDuty.objects.get(unit=cast.unit_a)
    client = api_as(cast.users["unit_admin"])
    body = {"windows": [{"kind": window.kind, "weekdays": window.weekdays, "start": "07:30", "end": "08:30",
                         "label": "入园（新）"}], "holidays": []}
    assert client.put(f"/api/v1/units/{cast.unit_a.pk}/timetable/", body, format="json").status_code == 200
    assert EscortDuty.objects.filter(pk=duty.pk).exists()
    assert CheckIn.objects.get(unit=cast.unit_a).window_id == window.pk


# --- Pages -------------------------------------------------------------------------------------------

def test_force_page_and_its_forms(cast: Cast) -> None:
    client = page_for(cast.users["unit_admin"])
    page = client.get(f"/units/{cast.unit_a.pk}/force/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "HOMEUNIT-guard" in html and "HOMEUNIT-officer" in html
    bad = client.post(f"/units/{cast.unit_a.pk}/force/guard/", {"name": "新人", "id_number": "330106196803021235"})
    assert bad.status_code == 400
    assert "校验码" in bad.content.decode()  # the form speaks the user's language (Chinese by default)
    ok = client.post(f"/units/{cast.unit_a.pk}/force/guard/", {
        "name": "新人", "id_number": resident_id(years_ago(35), 777), "certificate_no": "C9", "active": "on"})
    assert ok.status_code == 302 and ok["Location"].endswith("#guards")
    assert Guard.objects.filter(unit=cast.unit_a, name="新人", active=True).exists()
    # The police form is the station's, not the unit's.
    assert client.get(f"/units/{cast.unit_a.pk}/force/police/").status_code == 403
    assert page_for(cast.users["police"]).get(f"/units/{cast.unit_a.pk}/force/police/").status_code == 200


def test_gate_codes_page_prints_a_qr_for_managers_only(cast: Cast) -> None:
    response = page_for(cast.users["unit_admin"]).get(f"/units/{cast.unit_a.pk}/gate-codes/")
    assert response.status_code == 200 and b"<svg" in response.content
    assert page_for(cast.users["guard"]).get(f"/units/{cast.unit_a.pk}/gate-codes/").status_code == 403
    token = CheckInPoint.objects.get(unit=cast.unit_a).token
    assert page_for(cast.users["police"]).get(f"/checkin/{token}/").status_code == 200
    # Someone who may not check in there learns nothing from a photographed code.
    assert page_for(cast.users["admin_far"]).get(f"/checkin/{token}/").status_code == 404


def test_matrix_page_query_count_does_not_grow_with_units(cast: Cast) -> None:
    client = page_for(cast.users["admin"])
    client.get("/compliance/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/compliance/?status=fail").status_code == 200
    for i in range(30):
        UnitFactory(code=f"MX{i}", parent=cast.c1, subdistrict=cast.sd)
    engine.refresh()
    with CaptureQueriesContext(connection) as many:
        response = client.get("/compliance/?status=fail")
    assert response.context["page"].paginator.count >= 30
    assert len(few.captured_queries) == len(many.captured_queries)


def test_matrix_export_holds_the_filtered_units_and_their_evidence(cast: Cast) -> None:
    Guard.objects.create(unit=cast.unit_a, name="老周", birth_date=years_ago(60), certificate_no="C1")
    engine.refresh()
    response = page_for(cast.users["admin"]).get("/compliance/export.xlsx?status=fail&rule=guards.age")
    book = load_workbook(BytesIO(response.content))
    matrix, evidence = book.worksheets
    assert [row[0] for row in matrix.iter_rows(min_row=2, values_only=True)] == ["KA"]
    assert any("老周" in str(row[5]) for row in evidence.iter_rows(min_row=2, values_only=True))


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_leave_exactly_one_current_officer() -> None:
    """Ten officers assigned to one unit at the same moment: each answer is 201 or a clear 4xx, never a 5xx,
    and the partial unique index leaves exactly one current assignment (STYLE habit 4)."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    from tests.factories import build_cast, load_cast

    cast = load_cast() or build_cast()
    today = timezone.localdate()
    barrier = Barrier(10)

    def assign(i: int) -> int:
        try:
            client = api_as(cast.users["police"])
            barrier.wait(timeout=10)
            return client.post("/api/v1/police-assignments/", {
                "unit": cast.unit_a.pk, "officer_name": f"民警{i}", "badge_no": f"0500{i:02d}",
                "phone": "13900001234", "start_date": (today + timedelta(days=i)).isoformat()},
                format="json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(assign, range(10)))
    assert all(s in {201, 400, 409} for s in statuses), statuses
    assert 201 in statuses
    current = PoliceAssignment.objects.filter(unit=cast.unit_a, end_date__isnull=True)
    assert current.count() == 1
    history = list(PoliceAssignment.objects.filter(unit=cast.unit_a).order_by("start_date"))
    assert len(history) == 1 + statuses.count(201)
    for earlier, later in itertools.pairwise(history):
        assert earlier.end_date == later.start_date - timedelta(days=1)


def test_patrol_teams_page_adds_a_team_and_assigns_it_to_a_gate(cast: Cast) -> None:
    from huxiao.force.models import PatrolAssignment, PatrolTeam

    client = page_for(cast.users["governance"])
    assert client.get("/force/patrols/").status_code == 200
    response = client.post("/force/patrols/", {"form": "team", "community": cast.c1.pk, "name": "一社区夕阳红",
                                                "leader": "刘大爷", "members": 6})
    assert response.status_code == 302
    team = PatrolTeam.objects.get(name="一社区夕阳红")
    window = cast.unit_a.timetable_windows.get()
    response = client.post("/force/patrols/", {"form": "assign", "team": team.pk, "window": window.pk,
                                                "weekdays": "12345"})
    assert response.status_code == 302
    assert PatrolAssignment.objects.filter(team=team, unit=cast.unit_a).exists()
    # A unit admin sees the teams of its community but may not organise them.
    page = page_for(cast.users["unit_admin"]).get("/force/patrols/")
    assert page.status_code == 200 and "一社区夕阳红" in page.content.decode() and page.context["team_form"] is None
    refused = page_for(cast.users["unit_admin"]).post("/force/patrols/", {"form": "team", "community": cast.c1.pk,
                                                                          "name": "x", "members": 1})
    assert refused.status_code in {400, 403}
    assert not PatrolTeam.objects.filter(name="x").exists()


def test_escort_rota_form(cast: Cast) -> None:
    from huxiao.force.models import StaffMember

    member = StaffMember.objects.get(unit=cast.unit_a)
    window = cast.unit_a.timetable_windows.get()
    EscortDuty.objects.all().delete()
    response = page_for(cast.users["unit_admin"]).post(f"/units/{cast.unit_a.pk}/force/escort/", {
        "member": member.pk, "window": window.pk, "weekdays": "135"})
    assert response.status_code == 302
    assert EscortDuty.objects.get(member=member).weekdays == "135"
    foreign = StaffMember.objects.get(unit=cast.unit_b)
    bad = page_for(cast.users["unit_admin"]).post(f"/units/{cast.unit_a.pk}/force/escort/", {
        "member": foreign.pk, "window": window.pk, "weekdays": "1"})
    assert bad.status_code == 400


def test_parameters_page_saves_and_refuses_bad_values(cast: Cast) -> None:
    client = page_for(cast.users["admin"])
    assert client.get("/compliance/parameters/").status_code == 200
    kinds = ["restraining_fork", "stab_vest", "cut_gloves", "baton", "helmet"]
    bad = client.post("/compliance/parameters/", {"guards.max_age": "abc", "guards.required_equipment": kinds})
    assert bad.status_code == 400
    assert "请输入整数" in bad.content.decode()
    from huxiao.compliance.models import RuleParameter

    assert not RuleParameter.objects.exists()
    ok = client.post("/compliance/parameters/", {"guards.max_age": "60", "guards.required_equipment": kinds})
    assert ok.status_code == 302
    assert dict(RuleParameter.objects.values_list("key", "value")) == {"guards.max_age": 60,
                                                                        "guards.required_equipment": kinds}
    assert page_for(cast.users["unit_admin"]).post("/compliance/parameters/", {
        "guards.max_age": "70"}).status_code == 403


def test_the_same_member_twice_on_a_window_is_a_form_error(cast: Cast) -> None:
    from huxiao.force.models import StaffMember

    member = StaffMember.objects.get(unit=cast.unit_a)
    window = cast.unit_a.timetable_windows.get()
    assert EscortDuty.objects.filter(member=member, window=window).exists()  # the cast's own
    response = page_for(cast.users["unit_admin"]).post(f"/units/{cast.unit_a.pk}/force/escort/", {
        "member": member.pk, "window": window.pk, "weekdays": "12345"})
    assert response.status_code == 400 and EscortDuty.objects.filter(member=member).count() == 1
