"""F-SURR-1/2: premises near campuses, measured geodesically from the campus's boundary (its point where none is
drawn); restricted venues within the radius fail the nearest unit until a clean-up closes or relocates them;
traffic and illegal-taxi reports open hazards.

Distances are checked against geographiclib (Karney's geodesics on WGS-84), an implementation independent of
``huxiao.surroundings.geo``."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from geographiclib.geodesic import Geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from huxiao.compliance import services as compliance
from huxiao.compliance.engine import evaluate
from huxiao.compliance.models import Result
from huxiao.core import services as core
from huxiao.core.models import Unit
from huxiao.hazards.models import Hazard
from huxiao.surroundings import geo, services
from huxiao.surroundings.models import CleanupRecord, Premises, TrafficReport
from tests.conftest import api_as
from tests.factories import Cast, UnitFactory, make_org

WGS84 = Geodesic.WGS84
pytestmark = pytest.mark.django_db


# --- the reference ------------------------------------------------------------------------------------

def direct(lat: float, lng: float, azimuth: float, metres: float) -> tuple[float, float]:
    g = WGS84.Direct(lat, lng, azimuth, metres)
    return g["lat2"], g["lon2"]


def reference_to_boundary(p: tuple[float, float], boundary: list[list[float]], step_m: float = 5.0) -> float:
    """The distance from ``p`` to a boundary, by geographiclib only: along each edge's geodesic, sampled every
    ``step_m``, then narrowed round the nearest sample by golden-section search to a centimetre (the
    distance from a point along a short geodesic has one minimum)."""
    ring = [*boundary, boundary[0]] if boundary[0] != boundary[-1] else boundary
    best = float("inf")
    for (lat1, lng1), (lat2, lng2) in pairwise(ring):
        line = WGS84.InverseLine(lat1, lng1, lat2, lng2)

        def at(s: float, line: Any = line) -> float:
            q = line.Position(s)
            return float(WGS84.Inverse(p[0], p[1], q["lat2"], q["lon2"])["s12"])

        n = max(1, int(line.s13 / step_m))
        k = min(range(n + 1), key=lambda k: at(line.s13 * k / n))
        lo, hi = line.s13 * max(k - 1, 0) / n, line.s13 * min(k + 1, n) / n
        ratio = (5 ** 0.5 - 1) / 2
        while hi - lo > 0.01:
            a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
            if at(a) <= at(b):
                hi = b
            else:
                lo = a
        best = min(best, at(lo), at(hi), at(line.s13 * k / n))
    return best


def campus_polygon(centre: tuple[float, float]) -> list[list[float]]:
    """An irregular pentagon some 60–90 m about ``centre``, its edges at no round bearing."""
    return [list(direct(*centre, azimuth, metres)) for azimuth, metres in
            ((17, 80), (95, 90), (160, 70), (230, 85), (300, 60))]


def outward_from_edge(boundary: list[list[float]], i: int, metres: float) -> tuple[float, float]:
    """A point ``metres`` out from the middle of edge ``i``, along the edge's normal pointing away from the
    campus (placed with geographiclib's Direct)."""
    (lat1, lng1), (lat2, lng2) = boundary[i], boundary[(i + 1) % len(boundary)]
    line = WGS84.InverseLine(lat1, lng1, lat2, lng2)
    mid = line.Position(line.s13 / 2)
    for side in (90, -90):
        p = direct(mid["lat2"], mid["lon2"], mid["azi2"] + side, 5)
        if not geo.inside(p, geo.ring(boundary)):
            return direct(mid["lat2"], mid["lon2"], mid["azi2"] + side, metres)
    raise AssertionError("no outside")


# --- point to point ---------------------------------------------------------------------------------------

CHINA_LAT = st.floats(min_value=18.0, max_value=53.5)
CHINA_LNG = st.floats(min_value=73.5, max_value=135.0)


@settings(max_examples=300, deadline=None)
@given(CHINA_LAT, CHINA_LNG, CHINA_LAT, CHINA_LNG)
def test_point_to_point_agrees_with_geographiclib_across_china(lat1: float, lng1: float, lat2: float,
                                                                lng2: float) -> None:
    ours = geo.geodesic_m(lat1, lng1, lat2, lng2)
    reference = WGS84.Inverse(lat1, lng1, lat2, lng2)["s12"]
    assert ours == pytest.approx(reference, rel=1e-3, abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(CHINA_LAT, CHINA_LNG, st.floats(min_value=0, max_value=360), st.floats(min_value=0.5, max_value=5000))
def test_point_to_point_agrees_at_campus_scale(lat: float, lng: float, azimuth: float, metres: float) -> None:
    other = direct(lat, lng, azimuth, metres)
    assert geo.geodesic_m(lat, lng, *other) == pytest.approx(metres, rel=1e-3)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=20, max_value=50), st.floats(min_value=80, max_value=130), st.integers(0, 4),
       st.floats(min_value=1, max_value=3000))
def test_point_to_a_boundary_is_within_two_metres_of_the_reference(lat: float, lng: float, edge: int,
                                                                    metres: float) -> None:
    boundary = campus_polygon((lat, lng))
    p = outward_from_edge(boundary, edge, metres)
    ours = geo.to_campus_m(p, boundary=boundary, point=(lat, lng))
    assert ours is not None
    assert abs(ours - reference_to_boundary(p, boundary)) < 2


def test_a_point_inside_the_boundary_is_at_distance_zero() -> None:
    boundary = campus_polygon((30.28, 120.12))
    assert geo.to_campus_m((30.28, 120.12), boundary=boundary, point=(30.28, 120.12)) == 0
    assert geo.to_campus_m((30.28, 120.12), boundary=None, point=None) is None


# --- must-show: the rule on the map -------------------------------------------------------------------------

def far_unit(cast: Cast, boundary: list[list[float]] | None = None) -> Unit:
    """The second sub-district's one unit, alone there, its boundary drawn as given (through the service, as a
    sub-district admin would)."""
    unit = cast.unit_far
    if boundary is not None:
        core.unit_update(actor=cast.users["admin_far"], unit=unit, boundary=boundary)
    return unit


def post_premises(cast: Cast, role: str, **body: Any) -> Any:
    return api_as(cast.users[role]).post("/api/v1/premises/", body, format="json")


def test_an_internet_cafe_150_m_from_the_boundary_is_a_violation_and_one_at_250_m_is_not(cast: Cast) -> None:
    # Given a campus whose boundary is drawn,
    unit = far_unit(cast, campus_polygon((cast.unit_far.lat, cast.unit_far.lng)))
    boundary = unit.boundary
    # when an internet café opens 150 m out from one of its walls, and another 250 m out from another,
    near = outward_from_edge(boundary, 1, 150)
    far = outward_from_edge(boundary, 3, 250)
    answers = [post_premises(cast, "admin_far", name=name, kind="internet_cafe", lat=p[0], lng=p[1])
               for name, p in (("星际网吧", near), ("远方网咖", far))]
    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    first, second = (a.json() for a in answers)
    # then the first is a violation, at the distance geographiclib measures (within 2 m), and the second is not;
    assert first["nearest_unit"] == unit.pk and first["violation"] is True
    assert abs(first["distance_m"] - reference_to_boundary(near, boundary)) < 2
    assert abs(second["distance_m"] - reference_to_boundary(far, boundary)) < 2
    assert second["violation"] is False
    # and the unit fails premises.restricted, naming the first café only.
    result = Result.objects.get(unit=unit, rule="premises.restricted")
    assert result.status == "fail"
    assert [line["a"]["name"] for line in result.evidence] == ["星际网吧"]


def test_drawing_the_boundary_brings_a_cafe_within_the_radius(cast: Cast) -> None:
    # Given a campus known by its point only, and a café 250 m east of that point,
    unit = far_unit(cast)
    centre = (unit.lat, unit.lng)
    cafe = direct(*centre, 90, 250)
    answer = post_premises(cast, "admin_far", name="拐角网吧", kind="internet_cafe", lat=cafe[0], lng=cafe[1])
    assert answer.status_code == 201 and answer.json()["violation"] is False
    assert abs(answer.json()["distance_m"] - 250) < 2
    assert Result.objects.get(unit=unit, rule="premises.restricted").status == "pass"
    # when the campus's boundary is drawn, reaching 100 m east of its point,
    west, east = direct(*centre, 270, 20), direct(*centre, 90, 100)
    boundary = [list(direct(*west, 0, 40)), list(direct(*east, 0, 40)), list(direct(*east, 180, 40)),
                list(direct(*west, 180, 40))]
    far_unit(cast, boundary)
    # then the café is 150 m from the campus and a violation, and the unit fails.
    premises = Premises.objects.get(pk=answer.json()["id"])
    assert abs(premises.distance_m - reference_to_boundary(cafe, boundary)) < 2
    assert abs(premises.distance_m - 150) < 2
    body = api_as(cast.users["admin_far"]).get(f"/api/v1/premises/{premises.pk}/").json()
    assert body["violation"] is True
    assert Result.objects.get(unit=unit, rule="premises.restricted").status == "fail"


def test_a_new_unit_nearer_a_premises_takes_it_over(cast: Cast) -> None:
    unit = far_unit(cast)
    cafe = direct(unit.lat, unit.lng, 0, 600)
    answer = post_premises(cast, "admin_far", name="北边网吧", kind="game_hall", lat=cafe[0], lng=cafe[1])
    assert answer.json()["nearest_unit"] == unit.pk and answer.json()["violation"] is False
    school = direct(unit.lat, unit.lng, 0, 480)
    community = make_org(cast.sd2, "community", code="C-Z9", name="北社区")
    new = core.unit_create(actor=cast.users["admin_far"], code="Z-NEW", name="北新小学", kind="primary",
                           parent=community, lat=school[0], lng=school[1])
    premises = Premises.objects.get(pk=answer.json()["id"])
    assert premises.nearest_unit_id == new.pk and abs(premises.distance_m - 120) < 2
    assert Result.objects.get(unit=new, rule="premises.restricted").status == "fail"


# --- the rule -------------------------------------------------------------------------------------------------

def verdict(unit: Unit) -> Any:
    return evaluate(Unit.objects.filter(pk=unit.pk), only=["premises.restricted"])[(unit.pk, "premises.restricted")]


def test_the_rule_passes_a_campus_with_only_harmless_or_distant_neighbours(cast: Cast) -> None:
    unit = far_unit(cast)
    for name, kind, metres in (("出租屋", "rental_house", 50), ("小酒馆", "bar", 80), ("远网吧", "internet_cafe", 201)):
        p = direct(unit.lat, unit.lng, 45, metres)
        assert post_premises(cast, "admin_far", name=name, kind=kind, lat=p[0], lng=p[1]).status_code == 201
    result = verdict(unit)
    assert result.status == "pass", result.evidence


def test_the_rule_fails_the_nearest_unit_only(cast: Cast) -> None:
    unit = far_unit(cast)
    community = make_org(cast.sd2, "community", code="C-Z8", name="东社区")
    east = direct(unit.lat, unit.lng, 90, 300)
    other = core.unit_create(actor=cast.users["admin_far"], code="Z-EAST", name="东新幼儿园", kind="kindergarten",
                             parent=community, lat=east[0], lng=east[1])
    hall = direct(unit.lat, unit.lng, 90, 180)  # 180 m from one, 120 m from the other
    assert post_premises(cast, "admin_far", name="歌舞厅", kind="dance_hall", lat=hall[0], lng=hall[1]).json()[
        "nearest_unit"] == other.pk
    assert verdict(other).status == "fail" and verdict(unit).status == "pass"


def test_the_radius_and_the_restricted_kinds_are_the_sub_districts_parameters(cast: Cast) -> None:
    unit = far_unit(cast)
    bar = direct(unit.lat, unit.lng, 180, 150)
    cafe = direct(unit.lat, unit.lng, 0, 260)
    post_premises(cast, "admin_far", name="夜色酒吧", kind="bar", lat=bar[0], lng=bar[1])
    post_premises(cast, "admin_far", name="拐角网吧", kind="internet_cafe", lat=cafe[0], lng=cafe[1])
    assert verdict(unit).status == "pass"
    compliance.parameters_update(actor=cast.users["admin_far"], subdistrict=cast.sd2, values={
        "premises.radius_m": 300, "premises.restricted_kinds": ["internet_cafe", "game_hall", "video_hall",
                                                                 "dance_hall", "bar"]})
    assert {line["a"]["name"] for line in verdict(unit).evidence} == {"夜色酒吧", "拐角网吧"}
    listed = api_as(cast.users["admin_far"]).get("/api/v1/premises/").json()["results"]
    assert {p["name"] for p in listed if p["violation"]} == {"夜色酒吧", "拐角网吧"}


def test_closing_a_cafe_clears_the_violation(cast: Cast) -> None:
    # Given a café 100 m from the campus, failing the unit,
    unit = far_unit(cast)
    p = direct(unit.lat, unit.lng, 120, 100)
    cafe = Premises.objects.get(pk=post_premises(cast, "admin_far", name="网吧", kind="internet_cafe", lat=p[0],
                                                 lng=p[1]).json()["id"])
    assert Result.objects.get(unit=unit, rule="premises.restricted").status == "fail"
    client = api_as(cast.users["admin_far"])
    campaign = client.post("/api/v1/cleanup-campaigns/", {
        "title": "校园周边专项整治", "lead_office": cast.sd2.pk, "starts_on": (timezone.localdate() - timedelta(days=10)
                                                                              ).isoformat()}, format="json")
    assert campaign.status_code == 201, campaign.content
    # when the campaign first inspects it, it still counts;
    base = {"premises": cafe.pk, "campaign": campaign.json()["id"], "date": timezone.localdate().isoformat()}
    assert client.post("/api/v1/cleanup-records/", {**base, "action": "inspected"}, format="json").status_code == 201
    assert Result.objects.get(unit=unit, rule="premises.restricted").status == "fail"
    # when it is closed, it is cleared and the unit passes.
    closed = client.post("/api/v1/cleanup-records/", {**base, "action": "closed", "note": "责令停业"}, format="json")
    assert closed.status_code == 201, closed.content
    cafe.refresh_from_db()
    assert cafe.status == "closed" and cafe.cleared_on == timezone.localdate()
    assert client.get(f"/api/v1/premises/{cafe.pk}/").json()["violation"] is False
    assert Result.objects.get(unit=unit, rule="premises.restricted").status == "pass"
    # Closing it twice is refused.
    again = client.post("/api/v1/cleanup-records/", {**base, "action": "relocated"}, format="json")
    assert again.status_code == 400 and "action" in again.json()["fields"]


def test_a_record_outside_its_campaign_or_in_the_future_is_refused(cast: Cast) -> None:
    cafe = Premises.objects.get(nearest_unit=cast.unit_a)
    client = api_as(cast.users["governance"])
    campaign = client.post("/api/v1/cleanup-campaigns/", {"title": "暑期整治", "lead_office": cast.ps.pk,
                                                          "starts_on": "2026-07-01", "ends_on": "2026-08-31"},
                           format="json").json()
    for day in ("2026-06-30", (timezone.localdate() + timedelta(days=2)).isoformat()):
        answer = client.post("/api/v1/cleanup-records/", {"premises": cafe.pk, "campaign": campaign["id"], "date": day,
                                                          "action": "inspected"}, format="json")
        assert answer.status_code == 400 and "date" in answer.json()["fields"]
    assert not CleanupRecord.objects.filter(campaign_id=campaign["id"]).exists()


# --- scope and permissions ----------------------------------------------------------------------------------

def names_seen(cast: Cast, role: str) -> set[str]:
    answer = api_as(cast.users[role]).get("/api/v1/premises/")
    assert answer.status_code == 200
    return {p["name"] for p in answer.json()["results"]}


def test_who_sees_which_premises(cast: Cast) -> None:
    home, other, far = "HOMEUNIT-网吧", "OTHERUNIT-网吧", "OTHERSD-网吧"
    assert names_seen(cast, "governance") == names_seen(cast, "admin") == names_seen(cast, "education") == {home, other}
    assert names_seen(cast, "police") == {home}  # nearest a unit of the officer's station only
    assert names_seen(cast, "unit_admin") == names_seen(cast, "guard") == {home}
    assert names_seen(cast, "guardian") == names_seen(cast, "patrol") == names_seen(cast, "bus_attendant") == set()
    assert names_seen(cast, "admin_far") == {far}


def test_police_and_offices_write_premises_and_a_school_reads_them(cast: Cast) -> None:
    near_a = (cast.unit_a.lat + 0.001, cast.unit_a.lng)
    for role in ("police", "governance", "admin"):
        answer = post_premises(cast, role, name=f"{role}-网吧", kind="internet_cafe", lat=near_a[0], lng=near_a[1])
        assert answer.status_code == 201, (role, answer.content)
    for role in ("unit_admin", "guard", "education", "supervisor", "patrol"):
        answer = post_premises(cast, role, name=f"{role}-网吧", kind="internet_cafe", lat=near_a[0], lng=near_a[1])
        assert answer.status_code == 403, (role, answer.content)
        assert answer.json()["code"] == "permission_denied"
    mine = Premises.objects.get(name="police-网吧")
    assert api_as(cast.users["unit_admin"]).patch(f"/api/v1/premises/{mine.pk}/", {"name": "改"},
                                                  format="json").status_code == 403
    assert api_as(cast.users["police"]).patch(f"/api/v1/premises/{mine.pk}/", {"operator": "王某"},
                                              format="json").status_code == 200


def test_a_police_officer_cannot_file_premises_for_another_stations_campus(cast: Cast) -> None:
    """Unit B (another station's) gets a boundary; a café beside it is nearest unit B, so not officer A's."""
    boundary = campus_polygon((cast.unit_b.lat, cast.unit_b.lng))
    core.unit_update(actor=cast.users["admin"], unit=cast.unit_b, boundary=boundary)
    p = outward_from_edge(boundary, 0, 30)
    before = Premises.objects.count()
    answer = post_premises(cast, "police", name="B旁网吧", kind="internet_cafe", lat=p[0], lng=p[1])
    assert answer.status_code == 400 and {"lat", "lng"} <= set(answer.json()["fields"])
    assert Premises.objects.count() == before
    assert post_premises(cast, "governance", name="B旁网吧", kind="internet_cafe", lat=p[0],
                         lng=p[1]).json()["nearest_unit"] == cast.unit_b.pk


def test_a_foreign_premises_is_404_and_unchanged(cast: Cast) -> None:
    other = Premises.objects.get(nearest_unit=cast.unit_b)
    answer = api_as(cast.users["police"]).patch(f"/api/v1/premises/{other.pk}/", {"name": "hacked"}, format="json")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    with pytest.raises(PermissionDenied):  # from the service itself
        services.premises_update(actor=cast.users["police"], premises=other, name="hacked")
    assert Premises.objects.get(pk=other.pk).name == other.name


# --- bad input ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"name": "网吧", "kind": "internet_cafe", "lat": 91, "lng": 120.1}, "lat"),
    ({"name": "网吧", "kind": "internet_cafe", "lat": -90.5, "lng": 120.1}, "lat"),
    ({"name": "网吧", "kind": "internet_cafe", "lat": 30.2, "lng": 181}, "lng"),
    ({"name": "网吧", "kind": "casino", "lat": 30.2, "lng": 120.1}, "kind"),
    ({"name": "", "kind": "internet_cafe", "lat": 30.2, "lng": 120.1}, "name"),
    ({"kind": "internet_cafe", "lat": 30.2, "lng": 120.1}, "name"),
    ({"name": "网吧", "kind": "internet_cafe", "lat": "north", "lng": 120.1}, "lat"),
    ({"name": "网吧", "kind": "internet_cafe", "lat": 30.2, "lng": 120.1, "distance_m": 5, "salary": 1}, "salary"),
])
def test_bad_input_is_a_400_with_the_field_and_writes_nothing(cast: Cast, body: dict[str, Any], field: str) -> None:
    before = Premises.objects.count()
    answer = post_premises(cast, "governance", **body)
    assert answer.status_code == 400, answer.content
    error = answer.json()
    assert error["code"] == "invalid" and error["detail"] and field in error["fields"]
    assert Premises.objects.count() == before


def test_read_only_fields_sent_are_ignored(cast: Cast) -> None:
    p = direct(cast.unit_a.lat, cast.unit_a.lng, 0, 400)
    answer = post_premises(cast, "governance", name="网吧", kind="internet_cafe", lat=p[0], lng=p[1], distance_m=1,
                           violation=True, nearest_unit=cast.unit_b.pk)
    assert answer.status_code == 201
    assert abs(answer.json()["distance_m"] - 400) < 2 and answer.json()["violation"] is False


def test_the_premises_list_costs_the_same_for_two_rows_or_twenty(cast: Cast) -> None:
    client = api_as(cast.users["governance"])

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/premises/").status_code == 200
        return len(queries)

    small = cost()
    for i in range(18):
        p = direct(cast.unit_a.lat, cast.unit_a.lng, 20 * i, 100 + 10 * i)
        Premises.objects.create(subdistrict=cast.sd, name=f"店{i}", kind="internet_cafe", lat=p[0], lng=p[1],
                                nearest_unit=cast.unit_a, distance_m=100 + 10 * i)
    assert cost() == small


# --- pages --------------------------------------------------------------------------------------------------

def test_the_map_shows_the_violation_in_the_list_beside_it(cast: Cast, client: Any) -> None:
    p = direct(cast.unit_a.lat, cast.unit_a.lng, 0, 120)
    services.premises_add(actor=cast.users["police"], name="红星网吧", kind="internet_cafe", lat=p[0], lng=p[1])
    client.force_login(cast.users["police"])
    page = client.get("/surroundings/map/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "红星网吧" in text and 'id="surroundings-map-data"' in text and "table-danger" in text
    assert "OTHERUNIT" not in text
    unit_page = client.get(f"/units/{cast.unit_a.pk}/surroundings/")
    assert unit_page.status_code == 200 and "红星网吧" in unit_page.content.decode()
    assert client.get(f"/units/{cast.unit_b.pk}/surroundings/").status_code == 404


def test_the_register_adds_premises_and_records_a_closure(cast: Cast, client: Any) -> None:
    client.force_login(cast.users["governance"])
    p = direct(cast.unit_a.lat, cast.unit_a.lng, 200, 90)
    answer = client.post("/surroundings/premises/", {"form": "premises", "name": "蓝天录像厅", "kind": "video_hall",
                                                      "lat": p[0], "lng": p[1], "address": "文三路1号"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    premises = Premises.objects.get(name="蓝天录像厅")
    assert premises.nearest_unit_id == cast.unit_a.pk
    answer = client.post(f"/surroundings/premises/{premises.pk}/", {"form": "record", "action": "relocated",
                                                                     "date": timezone.localdate().isoformat()})
    assert answer.status_code == 302
    premises.refresh_from_db()
    assert premises.status == "relocated"
    bad = client.post("/surroundings/premises/", {"form": "premises", "name": "x", "kind": "video_hall", "lat": 95,
                                                  "lng": 120})
    assert bad.status_code == 400 and not Premises.objects.filter(name="x").exists()


# --- F-SURR-2: traffic and illegal taxis ----------------------------------------------------------------------

def test_a_traffic_report_opens_its_hazard_in_the_same_transaction(cast: Cast) -> None:
    client = api_as(cast.users["police"])
    answer = client.post("/api/v1/traffic-reports/", {
        "unit": cast.unit_a.pk, "kind": "illegal_taxi", "place": "校门东侧50米", "lat": 30.2801, "lng": 120.1203,
        "observed_at": timezone.now().isoformat(), "description": "放学时三辆无牌车揽客"}, format="json")
    assert answer.status_code == 201, answer.content
    report = TrafficReport.objects.get(pk=answer.json()["id"])
    hazard = Hazard.objects.get(pk=answer.json()["hazard"])
    assert report.hazard_id == hazard.pk and hazard.unit_id == cast.unit_a.pk
    assert hazard.source == "traffic" and hazard.source_ref == f"traffic:{report.pk}"
    assert hazard.priority == "high" and hazard.location == "校门东侧50米"


def test_a_refused_hazard_leaves_no_report(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ValidationError

    def refuse(**kwargs: Any) -> Hazard:
        raise ValidationError({"title": ["no"]})

    monkeypatch.setattr(services, "hazard_report", refuse)
    before = TrafficReport.objects.count()
    with pytest.raises(ValidationError):
        services.traffic_report(actor=cast.users["guard"], unit=cast.unit_a, kind="gate_disorder", place="正门",
                                observed_at=timezone.now())
    assert TrafficReport.objects.count() == before


def test_who_may_file_a_traffic_report(cast: Cast) -> None:
    body = {"unit": cast.unit_a.pk, "kind": "gate_disorder", "place": "正门", "observed_at": timezone.now().isoformat()}
    for role in ("guard", "unit_admin", "governance", "police", "patrol"):
        assert api_as(cast.users[role]).post("/api/v1/traffic-reports/", body, format="json").status_code == 201, role
    assert api_as(cast.users["guardian"]).post("/api/v1/traffic-reports/", body, format="json").status_code == 403
    foreign = {**body, "unit": cast.unit_b.pk}
    assert api_as(cast.users["police"]).post("/api/v1/traffic-reports/", foreign, format="json").status_code == 400
    later = {**body, "observed_at": (timezone.now() + timedelta(hours=2)).isoformat()}
    answer = api_as(cast.users["guard"]).post("/api/v1/traffic-reports/", later, format="json")
    assert answer.status_code == 400 and "observed_at" in answer.json()["fields"]


def test_the_cast_and_its_factories_agree(cast: Cast) -> None:
    """The cast's cafés are nearest their own units and 330 m away: no violation anywhere in the cast."""
    for unit in (cast.unit_a, cast.unit_b, cast.unit_far):
        cafe = Premises.objects.get(nearest_unit=unit)
        assert cafe.distance_m == pytest.approx(WGS84.Inverse(unit.lat, unit.lng, cafe.lat, cafe.lng)["s12"], abs=0.01)
        assert Result.objects.get(unit=unit, rule="premises.restricted").status == "pass"
    assert date(2026, 1, 1) <= CleanupRecord.objects.filter(premises__nearest_unit=cast.unit_a).get().date


def test_unit_factory_units_without_location_are_skipped(cast: Cast) -> None:
    lonely = UnitFactory(code="Z-NOLOC", name="无址小学", subdistrict=cast.sd2, parent=cast.unit_far.parent, lat=None,
                         lng=None)
    assert geo.nearest((30.28, 120.12), [geo.Campus(lonely.pk, None, None, None)]) is None
