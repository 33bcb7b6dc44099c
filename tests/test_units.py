"""Units and timetables (F-GATE-3), pages and API; the demo (F-DEMO)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from rest_framework.test import APIClient

from huxiao.core.models import Unit
from huxiao.timetable.selectors import gate_mode
from tests.factories import Cast, UnitFactory

SH = ZoneInfo("Asia/Shanghai")


def api_for(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_admin_creates_a_unit_through_the_api(cast: Cast) -> None:
    response = api_for(cast.users["admin"]).post("/api/v1/units/", {
        "code": "k20", "name": "新建幼儿园", "kind": "kindergarten", "pupils": 120, "community": cast.c2.pk,
        "police_station": cast.ps.pk, "lat": 30.28, "lng": 120.12}, format="json")
    assert response.status_code == 201, response.content
    unit = Unit.objects.get(code="K20")
    assert unit.subdistrict_id == cast.sd.pk and unit.parent_id == cast.c2.pk


def test_community_of_another_subdistrict_reads_as_missing(cast: Cast) -> None:
    far_community = cast.unit_far.parent
    response = api_for(cast.users["admin"]).post("/api/v1/units/", {
        "code": "K21", "name": "越界", "kind": "kindergarten", "community": far_community.pk}, format="json")
    assert response.status_code == 400 and "community" in response.json()["fields"]


def test_unit_admin_edits_own_details_but_not_its_place_in_the_tree(cast: Cast) -> None:
    client = api_for(cast.users["unit_admin"])
    ok = client.patch(f"/api/v1/units/{cast.unit_a.pk}/", {"pupils": 321}, format="json")
    assert ok.status_code == 200 and ok.json()["pupils"] == 321
    moved = client.patch(f"/api/v1/units/{cast.unit_a.pk}/", {"community": cast.c2.pk}, format="json")
    assert moved.status_code == 400
    cast.unit_a.refresh_from_db()
    assert cast.unit_a.parent_id == cast.c1.pk


@pytest.mark.parametrize("role", ["guard", "teacher", "police", "supervisor", "education"])
def test_other_roles_cannot_edit_units(cast: Cast, role: str) -> None:
    response = api_for(cast.users[role]).patch(f"/api/v1/units/{cast.unit_a.pk}/", {"pupils": 1}, format="json")
    assert response.status_code == 403


def test_units_list_filters(cast: Cast) -> None:
    client = api_for(cast.users["admin"])
    assert [u["code"] for u in client.get("/api/v1/units/?kind=primary").json()["results"]] == ["OU-B"]
    assert [u["code"] for u in client.get(f"/api/v1/units/?community={cast.c1.pk}").json()["results"]] == ["KA"]
    assert [u["code"] for u in client.get("/api/v1/units/?q=阳光").json()["results"]] == ["KA"]


def test_police_sees_the_units_of_its_station(cast: Cast) -> None:
    codes = [u["code"] for u in api_for(cast.users["police"]).get("/api/v1/units/").json()["results"]]
    assert codes == ["KA"]


def test_units_list_query_count_does_not_grow_with_units(cast: Cast, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = api_for(cast.users["admin"])
    page = page_for(cast.users["admin"])
    with django_assert_max_num_queries(6):
        client.get("/api/v1/units/")
    with django_assert_max_num_queries(12):
        page.get("/units/")
    for i in range(40):
        UnitFactory(code=f"X{i}", parent=cast.c1, subdistrict=cast.sd, police_station=cast.ps)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/units/").json()["count"] == 42
    with django_assert_max_num_queries(12):
        page.get("/units/")


def test_timetable_put_replaces_it_and_gate_mode_follows(cast: Cast) -> None:
    client = api_for(cast.users["unit_admin"])
    body = {"windows": [
        {"kind": "arrival", "weekdays": "12345", "start": "07:30", "end": "08:30"},
        {"kind": "class", "weekdays": "12345", "start": "08:30", "end": "11:30", "label": "上午"},
        {"kind": "dismissal", "weekdays": "5", "start": "15:00", "end": "16:00"},
    ], "holidays": [{"date": "2026-12-31", "name": "跨年"}]}
    response = client.put(f"/api/v1/units/{cast.unit_a.pk}/timetable/", body, format="json")
    assert response.status_code == 200, response.content
    assert len(response.json()["windows"]) == 3
    unit = cast.unit_a
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=SH)
    assert gate_mode(unit, monday).mode == "class_hours"
    assert gate_mode(unit, monday.replace(hour=7, minute=45)).mode == "arrival"
    assert gate_mode(unit, monday.replace(hour=15, minute=30)).mode == "open"
    assert gate_mode(unit, datetime(2026, 12, 4, 15, 30, tzinfo=SH)).mode == "dismissal"  # a Friday
    assert gate_mode(unit, datetime(2026, 12, 31, 9, 0, tzinfo=SH)).mode == "closed_day"  # the holiday
    assert gate_mode(unit, datetime(2026, 12, 5, 9, 0, tzinfo=SH)).mode == "closed_day"  # Saturday


def test_bad_timetable_is_refused_whole(cast: Cast) -> None:
    client = api_for(cast.users["unit_admin"])
    before = list(cast.unit_a.timetable_windows.values_list("start", flat=True))
    response = client.put(f"/api/v1/units/{cast.unit_a.pk}/timetable/", {"windows": [
        {"kind": "arrival", "start": "07:30", "end": "08:30"},
        {"kind": "class", "start": "12:00", "end": "11:00"},
    ], "holidays": []}, format="json")
    assert response.status_code == 400
    assert list(cast.unit_a.timetable_windows.values_list("start", flat=True)) == before == [time(7, 30)]
    dup = client.put(f"/api/v1/units/{cast.unit_a.pk}/timetable/", {"windows": [], "holidays": [
        {"date": "2027-01-01", "name": "a"}, {"date": "2027-01-01", "name": "b"}]}, format="json")
    assert dup.status_code == 400 and cast.unit_a.holidays.count() == 1


def test_unit_pages_list_detail_edit_and_create(cast: Cast) -> None:
    admin = page_for(cast.users["admin"])
    listing = admin.get("/units/", HTTP_ACCEPT_LANGUAGE="en")
    assert listing.status_code == 200 and "HOMEUNIT" in listing.content.decode()
    detail = admin.get(f"/units/{cast.unit_a.pk}/")
    assert detail.status_code == 200
    created = admin.post("/units/new/", {"code": "K30", "name": "页面新园", "kind": "kindergarten",
                                         "parent": cast.c1.pk, "pupils": 80})
    assert created.status_code == 302, created.content.decode()[:2000]
    unit = Unit.objects.get(code="K30")
    edit = admin.post(f"/units/{unit.pk}/edit/", {"code": "K30", "name": "页面新园（改）", "kind": "kindergarten",
                                                  "parent": cast.c1.pk, "pupils": 90})
    assert edit.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "页面新园（改）" and unit.pupils == 90
    bad = admin.post("/units/new/", {"code": "", "name": "", "kind": "castle"})
    assert bad.status_code == 400 and Unit.objects.count() == 4


def test_timetable_page_saves(cast: Cast) -> None:
    client = page_for(cast.users["unit_admin"])
    assert client.get(f"/units/{cast.unit_a.pk}/timetable/").status_code == 200
    data = {
        "w-TOTAL_FORMS": "2", "w-INITIAL_FORMS": "0",
        "w-0-kind": "arrival", "w-0-weekdays": ["1", "2", "3"], "w-0-start": "07:40", "w-0-end": "08:20",
        "w-1-kind": "", "w-1-start": "", "w-1-end": "",
        "h-TOTAL_FORMS": "1", "h-INITIAL_FORMS": "0", "h-0-date": "2027-02-06", "h-0-name": "春节",
    }
    response = client.post(f"/units/{cast.unit_a.pk}/timetable/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    window = cast.unit_a.timetable_windows.get()
    assert window.weekdays == "123" and window.start == time(7, 40)
    assert cast.unit_a.holidays.get().name == "春节"


def test_guard_cannot_open_the_timetable_editor(cast: Cast) -> None:
    assert page_for(cast.users["guard"]).get(f"/units/{cast.unit_a.pk}/timetable/").status_code == 403


def test_language_switch(cast: Cast) -> None:
    client = page_for(cast.users["admin"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/units/"})
    assert "Units" in client.get("/units/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/units/"})
    assert "单位" in client.get("/units/").content.decode()


def test_audit_viewer_shows_changes_to_the_admin_only(cast: Cast) -> None:
    from huxiao.core.models import ApiToken

    _, key = ApiToken.issue(cast.users["unit_admin"])
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    token_client.patch(f"/api/v1/units/{cast.unit_a.pk}/", {"pupils": 222}, format="json",
                       REMOTE_ADDR="10.1.2.3")
    page = page_for(cast.users["admin"]).get("/audit/?model=unit")
    assert page.status_code == 200 and "222" in page.content.decode()
    entries = api_for(cast.users["admin"]).get("/api/v1/audit/?model=unit").json()["results"]
    change = next(e for e in entries if "pupils" in (e["changes"] or {}))
    assert change["actor"] == "ka-admin" and change["changes"]["pupils"] == ["200", "222"]
    assert change["remote_addr"] == "10.1.2.3"
    assert page_for(cast.users["unit_admin"]).get("/audit/").status_code == 403


def test_the_audit_log_believes_x_forwarded_for_only_from_our_own_proxies(
        cast: Cast, settings: pytest.FixtureRequest) -> None:
    """Without a proxy, a client could write any address in X-Forwarded-For: the audit log keeps the
    address the request came from. Behind HUXIAO_PROXY_COUNT proxies, it keeps the one the last of them saw."""
    from auditlog.models import LogEntry

    from huxiao.core.models import ApiToken

    _, key = ApiToken.issue(cast.users["unit_admin"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    def patch(pupils: int, **extra: str) -> LogEntry:
        client.patch(f"/api/v1/units/{cast.unit_a.pk}/", {"pupils": pupils}, format="json", **extra)
        return LogEntry.objects.filter(changes__icontains="pupils").latest("pk")

    settings.HUXIAO_PROXY_COUNT = 0  # type: ignore[attr-defined]
    entry = patch(301, REMOTE_ADDR="10.1.2.4", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert entry.remote_addr == "10.1.2.4" and entry.actor_id == cast.users["unit_admin"].pk
    settings.HUXIAO_PROXY_COUNT = 1  # type: ignore[attr-defined]
    entry = patch(302, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.9.9.9")
    assert entry.remote_addr == "10.9.9.9"


