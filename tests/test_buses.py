"""F-BUS-1 school buses: buses, drivers, routes and trips, with rules buses.overload, buses.attendant,
buses.driver and buses.inspection. An overloaded count is kept as counted and raised at once; a grounded
bus or driver cannot take a trip."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from huxiao.buses import services
from huxiao.buses.models import Bus, BusCheck, Driver, DriverTraining, Route, Trip
from huxiao.compliance import engine
from huxiao.compliance.models import Result, RuleParameter
from huxiao.compliance.registry import render_all
from huxiao.core.errors import Conflict
from huxiao.core.models import Unit
from huxiao.notify.models import Notification
from tests.conftest import Cast
from tests.conftest import api_as as _api_as
from tests.factories import UnitFactory, years_ago

pytestmark = pytest.mark.django_db

RULES = ("buses.overload", "buses.attendant", "buses.driver", "buses.inspection")



@pytest.fixture(autouse=True)
def english(client: Any) -> Any:
    """The evidence and messages are read in English here (the catalogue translates them into Chinese): the
    requests ask for English, and so does this thread between them."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def api_as(user: Any) -> Any:
    client = _api_as(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client

def today() -> date:
    return timezone.localdate()


def verdict(unit: Unit, rule: str) -> Result:
    return Result.objects.get(unit=unit, rule=rule)


def evaluated(unit: Unit, rule: str) -> tuple[str, list[str]]:
    v = engine.evaluate(Unit.objects.filter(pk=unit.pk), only=[rule])[(unit.pk, rule)]
    return v.status, render_all(v.evidence)


def bus_of(cast: Cast) -> Bus:
    return Bus.objects.select_related("unit").get(unit=cast.unit_a)


def driver_of(cast: Cast) -> Driver:
    return Driver.objects.select_related("unit").get(unit=cast.unit_a)


def trip_of(cast: Cast) -> Trip:
    return Trip.objects.select_related("unit", "bus", "driver", "route").get(unit=cast.unit_a)


def trip_body(cast: Cast, **extra: Any) -> dict[str, Any]:
    return {"unit": cast.unit_a.pk, "bus": bus_of(cast).pk, "driver": driver_of(cast).pk,
            "route": Route.objects.get(unit=cast.unit_a).pk, "attendant": cast.users["bus_attendant"].pk,
            "date": (today() + timedelta(days=1)).isoformat(), "direction": "from_school", "departs_at": "16:30",
            **extra}


# --- the rules ----------------------------------------------------------------------------------------

def test_the_cast_passes_every_bus_rule_and_a_unit_without_buses_passes_too(cast: Cast) -> None:
    for rule in RULES:
        assert verdict(cast.unit_a, rule).status == "pass", (rule, verdict(cast.unit_a, rule).evidence)
    empty = UnitFactory(code="K-NOBUS", name="无车幼儿园", parent=cast.c1, subdistrict=cast.sd, police_station=cast.ps)
    for rule in RULES:
        assert evaluated(empty, rule) == ("pass", ["No school bus."])


def test_buses_inspection_warns_before_and_fails_after_the_expiry(cast: Cast) -> None:
    bus = bus_of(cast)
    Bus.objects.filter(pk=bus.pk).update(inspection_expires=today() + timedelta(days=10))
    status, lines = evaluated(cast.unit_a, "buses.inspection")
    assert status == "warn" and bus.plate in lines[0]
    Bus.objects.filter(pk=bus.pk).update(inspection_expires=today() - timedelta(days=1))
    status, lines = evaluated(cast.unit_a, "buses.inspection")
    assert status == "fail" and any("inspection expired" in line for line in lines), lines
    # A failed pre-trip check grounds a bus with a valid inspection too, until a check passes.
    Bus.objects.filter(pk=bus.pk).update(inspection_expires=today() + timedelta(days=200))
    services.bus_check_record(actor=cast.users["bus_attendant"], bus=bus, ok=False, note="刹车异响")
    assert verdict(cast.unit_a, "buses.inspection").status == "fail"
    services.bus_check_record(actor=cast.users["bus_attendant"], bus=bus, ok=True, note="刹车已修复")
    assert verdict(cast.unit_a, "buses.inspection").status == "pass"


def test_buses_driver_checks_age_and_training_of_the_drivers_of_coming_trips(cast: Cast) -> None:
    driver = driver_of(cast)
    assert evaluated(cast.unit_a, "buses.driver")[0] == "pass"
    # Training due within the warning window: warn.
    DriverTraining.objects.filter(driver=driver).update(date=today() - timedelta(days=350))
    assert evaluated(cast.unit_a, "buses.driver")[0] == "warn"
    # Trained more than twelve months ago: grounded.
    DriverTraining.objects.filter(driver=driver).update(date=today() - timedelta(days=400))
    status, lines = evaluated(cast.unit_a, "buses.driver")
    assert status == "fail" and driver.name in lines[0] and "training is due every 12 months" in lines[1], lines
    # A sub-district that requires training every 24 months: passes again.
    RuleParameter.objects.create(subdistrict=cast.sd, key="buses.driver_training_months", value=24)
    assert evaluated(cast.unit_a, "buses.driver")[0] == "pass"
    # Too old on the day of the trip.
    DriverTraining.objects.filter(driver=driver).update(date=today() - timedelta(days=30))
    Driver.objects.filter(pk=driver.pk).update(birth_date=years_ago(61))
    status, lines = evaluated(cast.unit_a, "buses.driver")
    assert status == "fail" and "Aged 61" in lines[1], lines
    # The same driver with no trip from today on is not this rule's concern.
    Trip.objects.filter(unit=cast.unit_a).update(date=today() - timedelta(days=1))
    assert evaluated(cast.unit_a, "buses.driver") == ("pass", ["No trip is scheduled from today."])


def test_buses_attendant_fails_for_a_trip_without_one(cast: Cast) -> None:
    trip = trip_of(cast)
    response = api_as(cast.users["unit_admin"]).patch(f"/api/v1/bus-trips/{trip.pk}/", {"attendant": None},
                                                      format="json")
    assert response.status_code == 200, response.content
    result = verdict(cast.unit_a, "buses.attendant")
    assert result.status == "fail" and "has no attendant" in render_all(result.evidence)[0]
    api_as(cast.users["unit_admin"]).patch(f"/api/v1/bus-trips/{trip.pk}/",
                                           {"attendant": cast.users["bus_attendant"].pk}, format="json")
    assert verdict(cast.unit_a, "buses.attendant").status == "pass"


def test_the_rules_cost_the_same_queries_for_one_unit_or_all(cast: Cast, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(6):
        engine.evaluate(Unit.objects.filter(pk=cast.unit_a.pk), only=RULES)
    with django_assert_max_num_queries(6):
        engine.evaluate(Unit.objects.all(), only=RULES)


# --- overload: kept, flagged and raised at once ---------------------------------------------------------

def test_an_overloaded_count_is_kept_flagged_and_alerted_at_once(cast: Cast) -> None:
    trip = trip_of(cast)
    attendant = api_as(cast.users["bus_attendant"])
    seats = trip.bus.seats
    before = Notification.objects.filter(kind="buses.overload").count()
    response = attendant.post(f"/api/v1/bus-trips/{trip.pk}/boarding/", {"count": seats + 3}, format="json",
                              HTTP_IDEMPOTENCY_KEY="tablet-1")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["boarded"], body["seats"], body["overloaded"], body["status"]) == (seats + 3, seats, True, "departed")
    # The rule fails in the same request, and the unit's admin and the police were alerted.
    result = verdict(cast.unit_a, "buses.overload")
    assert result.status == "fail" and f"{seats + 3} children on board, {seats} seats" in render_all(
        result.evidence)[0]
    alerts = Notification.objects.filter(kind="buses.overload")
    assert alerts.count() == before + 2
    assert {n.user_id for n in alerts} == {cast.users["unit_admin"].pk, cast.users["police"].pk}
    assert {n.level for n in alerts} == {"alert"}
    # The tablet retries: the first answer again, no second alert.
    again = attendant.post(f"/api/v1/bus-trips/{trip.pk}/boarding/", {"count": seats + 3}, format="json",
                           HTTP_IDEMPOTENCY_KEY="tablet-1")
    assert again.status_code == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert Notification.objects.filter(kind="buses.overload").count() == before + 2
    # Children get off until everyone has a seat: the newest count holds and no alert is raised.
    fixed = attendant.post(f"/api/v1/bus-trips/{trip.pk}/boarding/", {"count": seats}, format="json")
    assert fixed.status_code == 200 and fixed.json()["overloaded"] is False
    assert Notification.objects.filter(kind="buses.overload").count() == before + 2


def test_the_attendant_sees_the_overload_at_once_on_the_trip_screen(cast: Cast, client: Any) -> None:
    trip = trip_of(cast)
    client.force_login(cast.users["bus_attendant"])
    page = client.get(f"/bus-trips/{trip.pk}/")
    assert page.status_code == 200 and 'data-testid="boarding-form"' in page.content.decode()
    response = client.post(f"/bus-trips/{trip.pk}/", {"action": "count", "count": trip.bus.seats + 1}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200 and 'data-testid="overload-alert"' in text
    assert Trip.objects.get(pk=trip.pk).overloaded


def test_a_count_out_of_range_is_refused_in_the_error_shape_and_writes_nothing(cast: Cast) -> None:
    trip = trip_of(cast)
    attendant = api_as(cast.users["bus_attendant"])
    for bad in (-1, 151, "many", None):
        response = attendant.post(f"/api/v1/bus-trips/{trip.pk}/boarding/", {"count": bad}, format="json")
        assert response.status_code == 400, (bad, response.content)
        body = response.json()
        assert body["code"] == "invalid" and body["detail"] and "count" in body["fields"], body
    unknown = attendant.post(f"/api/v1/bus-trips/{trip.pk}/boarding/", {"count": 3, "seats": 80}, format="json")
    assert unknown.status_code == 400 and list(unknown.json()["fields"]) == ["seats"]
    trip.refresh_from_db()
    assert (trip.boarded, trip.status) == (None, "scheduled")


def test_an_arrived_or_cancelled_trip_takes_no_count(cast: Cast) -> None:
    trip = trip_of(cast)
    admin = api_as(cast.users["unit_admin"])
    assert admin.post(f"/api/v1/bus-trips/{trip.pk}/cancel/").status_code == 200
    response = admin.post(f"/api/v1/bus-trips/{trip.pk}/boarding/", {"count": 3}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "trip_closed"
    assert admin.post(f"/api/v1/bus-trips/{trip.pk}/arrive/").json()["code"] == "trip_not_departed"


# --- grounded buses and drivers are refused ------------------------------------------------------------

def test_a_trip_with_a_grounded_bus_or_driver_is_refused(cast: Cast) -> None:
    admin = api_as(cast.users["unit_admin"])
    bus, driver = bus_of(cast), driver_of(cast)
    count = Trip.objects.count()
    Bus.objects.filter(pk=bus.pk).update(inspection_expires=today())  # valid today, expired tomorrow
    response = admin.post("/api/v1/bus-trips/", trip_body(cast), format="json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "bus_grounded" and any("inspection expired" in r
                                                              for r in response.json()["reasons"])
    Bus.objects.filter(pk=bus.pk).update(inspection_expires=today() + timedelta(days=100))
    DriverTraining.objects.filter(driver=driver).update(date=today() - timedelta(days=800))
    response = admin.post("/api/v1/bus-trips/", trip_body(cast), format="json")
    assert response.status_code == 409 and response.json()["code"] == "driver_grounded", response.content
    Driver.objects.filter(pk=driver.pk).update(birth_date=years_ago(24))
    DriverTraining.objects.filter(driver=driver).update(date=today() - timedelta(days=10))
    response = admin.post("/api/v1/bus-trips/", trip_body(cast), format="json")
    assert response.status_code == 409 and "Aged 24" in response.json()["detail"], response.content
    assert Trip.objects.count() == count
    Driver.objects.filter(pk=driver.pk).update(birth_date=years_ago(35))
    assert admin.post("/api/v1/bus-trips/", trip_body(cast), format="json").status_code == 201


def test_a_trip_does_not_set_off_with_a_bus_grounded_since_it_was_scheduled(cast: Cast) -> None:
    trip = trip_of(cast)
    services.bus_check_record(actor=cast.users["bus_attendant"], bus=trip.bus, ok=False, note="车门无法关闭")
    response = api_as(cast.users["bus_attendant"]).post(f"/api/v1/bus-trips/{trip.pk}/boarding/", {"count": 10},
                                                        format="json")
    assert response.status_code == 409 and response.json()["code"] == "bus_grounded"
    assert Trip.objects.get(pk=trip.pk).status == "scheduled"


def test_a_bus_above_its_kinds_seat_limit_is_refused(cast: Cast) -> None:
    admin = api_as(cast.users["unit_admin"])
    body = {"unit": cast.unit_a.pk, "plate": "浙A·X8801", "kind": "kindergarten", "seats": 46,
            "inspection_expires": "2030-01-01", "insurance_expires": "2030-01-01"}
    response = admin.post("/api/v1/buses/", body, format="json")
    assert response.status_code == 400 and "seats" in response.json()["fields"], response.content
    # A kindergarten runs kindergarten buses only.
    response = admin.post("/api/v1/buses/", {**body, "kind": "school", "seats": 49}, format="json")
    assert response.status_code == 400 and "kind" in response.json()["fields"], response.content
    made = admin.post("/api/v1/buses/", {**body, "plate": "浙a x8801", "seats": 45}, format="json")
    assert made.status_code == 201 and made.json()["plate"] == "浙A·X8801", made.content


# --- who may do what ------------------------------------------------------------------------------------

def test_the_attendant_sees_their_units_buses_and_counts_only_their_own_trips(cast: Cast) -> None:
    attendant = api_as(cast.users["bus_attendant"])
    for path in ("buses", "bus-drivers", "bus-routes", "bus-trips"):
        listed = attendant.get(f"/api/v1/{path}/").json()["results"]
        assert listed and {row["unit"] for row in listed} == {cast.unit_a.pk}, path
    # Not a scheduler, and not the counter of a trip someone else accompanies.
    assert attendant.post("/api/v1/bus-trips/", trip_body(cast), format="json").status_code == 403
    trip = trip_of(cast)
    Trip.objects.filter(pk=trip.pk).update(attendant=None)
    assert attendant.post(f"/api/v1/bus-trips/{trip.pk}/boarding/", {"count": 5}, format="json").status_code == 403
    # The unit admin counts any trip of the unit.
    assert api_as(cast.users["unit_admin"]).post(f"/api/v1/bus-trips/{trip.pk}/boarding/", {"count": 5},
                                                 format="json").status_code == 200
    # Guardians and patrol volunteers see no bus at all.
    for role in ("guardian", "patrol"):
        assert api_as(cast.users[role]).get("/api/v1/bus-trips/").json()["count"] == 0


def test_no_role_schedules_or_counts_at_a_foreign_unit(cast: Cast) -> None:
    foreign = Trip.objects.get(unit=cast.unit_b)
    for role in ("unit_admin", "bus_attendant", "police", "guard"):
        client = api_as(cast.users[role])
        assert client.get(f"/api/v1/bus-trips/{foreign.pk}/").status_code == 404
        response = client.post(f"/api/v1/bus-trips/{foreign.pk}/boarding/", {"count": 99}, format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    # A trip pointing at another unit's bus reads as a bus that does not exist.
    response = api_as(cast.users["unit_admin"]).post("/api/v1/bus-trips/", trip_body(
        cast, bus=Bus.objects.get(unit=cast.unit_b).pk), format="json")
    assert response.status_code == 400 and "bus" in response.json()["fields"]
    foreign.refresh_from_db()
    assert foreign.boarded is None


def test_services_refuse_the_wrong_actor(cast: Cast) -> None:
    trip = trip_of(cast)
    with pytest.raises(PermissionDenied):
        services.trip_boarding_record(actor=cast.users["police"], trip=trip, count=3)
    with pytest.raises(PermissionDenied):
        services.bus_add(actor=cast.users["bus_attendant"], unit=cast.unit_a, plate="浙A·X1", kind="kindergarten",
                         seats=10, inspection_expires=today(), insurance_expires=today())
    with pytest.raises(PermissionDenied):
        services.trip_cancel(actor=cast.users["foreign_b"], trip=trip)


# --- the registers ---------------------------------------------------------------------------------------

def test_a_route_keeps_its_stops_in_order_and_a_training_counts(cast: Cast) -> None:
    admin = api_as(cast.users["unit_admin"])
    response = admin.post("/api/v1/bus-routes/", {"unit": cast.unit_a.pk, "name": "文一线", "stops": [
        {"name": "文一路口", "lat": 30.29, "lng": 120.13}, {"name": "学院路口"}, {"name": "幼儿园"}]}, format="json")
    assert response.status_code == 201, response.content
    stops = [(s["order"], s["name"]) for s in response.json()["stops"]]
    assert stops == [(1, "文一路口"), (2, "学院路口"), (3, "幼儿园")]
    bad = admin.post("/api/v1/bus-routes/", {"unit": cast.unit_a.pk, "name": "空线", "stops": []}, format="json")
    assert bad.status_code == 400 and "stops" in bad.json()["fields"]
    half = admin.post("/api/v1/bus-routes/", {"unit": cast.unit_a.pk, "name": "半线", "stops": [
        {"name": "某处", "lat": 30.2}]}, format="json")
    assert half.status_code == 400 and "stops" in half.json()["fields"]
    assert not Route.objects.filter(name__in=["空线", "半线"]).exists()

    driver = driver_of(cast)
    DriverTraining.objects.filter(driver=driver).update(date=today() - timedelta(days=500))
    assert verdict(cast.unit_a, "buses.driver").status == "pass"  # stored before: not refreshed yet
    services.driver_update(actor=cast.users["unit_admin"], driver=driver, phone="139 0571 0003")
    assert verdict(cast.unit_a, "buses.driver").status == "fail"
    response = admin.post(f"/api/v1/bus-drivers/{driver.pk}/trainings/", {
        "date": today().isoformat(), "topic": "校车安全驾驶培训", "hours": 8}, format="json")
    assert response.status_code == 201 and response.json()["grounds"] == [], response.content
    assert Driver.objects.get(pk=driver.pk).phone == "13905710003"
    assert verdict(cast.unit_a, "buses.driver").status == "pass"


def test_the_unit_admin_schedules_a_trip_on_the_page(cast: Cast, client: Any) -> None:
    client.force_login(cast.users["unit_admin"])
    page = client.get(f"/units/{cast.unit_a.pk}/buses/")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-testid="trip-table"' in text and "buses.overload" in text
    fields = {"route": Route.objects.get(unit=cast.unit_a).pk, "direction": "from_school",
              "date": (today() + timedelta(days=2)).isoformat(), "departs_at": "16:40", "bus": bus_of(cast).pk,
              "driver": driver_of(cast).pk, "attendant": cast.users["bus_attendant"].pk}
    body = {"form": "trip", **{f"trip-{name}": value for name, value in fields.items()}}
    response = client.post(f"/units/{cast.unit_a.pk}/buses/", body)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Trip.objects.filter(unit=cast.unit_a, departs_at=time(16, 40)).exists()
    # A grounded bus: the page says why and saves nothing.
    Bus.objects.filter(pk=bus_of(cast).pk).update(insurance_expires=today())
    response = client.post(f"/units/{cast.unit_a.pk}/buses/", {**body, "trip-departs_at": "17:00"})
    assert response.status_code == 400 and "insurance expired" in response.content.decode()
    assert not Trip.objects.filter(unit=cast.unit_a, departs_at=time(17, 0)).exists()
    # The police read the page; they get no forms.
    client.force_login(cast.users["police"])
    assert 'name="form"' not in client.get(f"/units/{cast.unit_a.pk}/buses/").content.decode()


def test_a_failed_check_must_say_what_failed(cast: Cast) -> None:
    response = api_as(cast.users["bus_attendant"]).post(f"/api/v1/buses/{bus_of(cast).pk}/checks/", {"ok": False},
                                                        format="json")
    assert response.status_code == 400 and "note" in response.json()["fields"], response.content
    assert BusCheck.objects.filter(bus__unit=cast.unit_a).count() == 1


def test_a_grounded_trip_conflict_is_a_conflict_exception(cast: Cast) -> None:
    trip = trip_of(cast)
    Bus.objects.filter(pk=trip.bus_id).update(active=False)
    trip.bus.refresh_from_db()
    with pytest.raises(Conflict):
        services.trip_schedule(actor=cast.users["unit_admin"], unit=cast.unit_a, bus=trip.bus, driver=trip.driver,
                               route=trip.route, date=today(), direction="from_school", departs_at=time(17, 30))
