"""Reads of a unit's school buses, through ``visible_to``; and whether a bus or a driver is grounded on a
day (``bus_grounds_on``, ``driver_grounds_on``: the services refuse a trip with them, the pages show them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Prefetch, Subquery

from huxiao.buses.models import (
    Bus,
    BusCheck,
    Driver,
    DriverTraining,
    Route,
    Stop,
    Trip,
    TripStatus,
    bus_grounds,
    driver_grounds,
)
from huxiao.core.models import Unit


def driver_limits(unit: Unit) -> dict[str, int]:
    """The sub-district's age band and training interval for school bus drivers (FEATURES.md §4)."""
    from huxiao.compliance.models import RuleParameter
    from huxiao.compliance.registry import PARAMS

    keys = {"min_age": "buses.driver_min_age", "max_age": "buses.driver_max_age",
            "training_months": "buses.driver_training_months"}
    stored = dict(RuleParameter.objects.filter(subdistrict_id=unit.subdistrict_id, key__in=keys.values())
                  .values_list("key", "value"))
    return {name: int(stored.get(key, PARAMS[key].default)) for name, key in keys.items()}


def last_check_ok(bus: Bus, day: date) -> bool | None:
    return BusCheck.objects.filter(bus=bus, date__lte=day).order_by("-date", "-id").values_list(
        "ok", flat=True).first()


def last_trained(driver: Driver, day: date) -> date | None:
    return DriverTraining.objects.filter(driver=driver, date__lte=day).order_by("-date").values_list(
        "date", flat=True).first()


def bus_grounds_on(bus: Bus, day: date) -> list[dict[str, Any]]:
    return bus_grounds(inspection_expires=bus.inspection_expires, insurance_expires=bus.insurance_expires,
                       last_check_ok=last_check_ok(bus, day), active=bus.active, day=day)


def driver_grounds_on(driver: Driver, day: date, limits: dict[str, int] | None = None) -> list[dict[str, Any]]:
    return driver_grounds(birth_date=driver.birth_date, licence_expires=driver.licence_expires,
                          last_trained=last_trained(driver, day), active=driver.active, day=day,
                          **(limits or driver_limits(driver.unit)))


@dataclass
class BusPage:
    buses: list[Bus]
    drivers: list[Driver]
    routes: list[Route]
    trips: list[Trip]


def unit_buses(user: Any, unit: Unit, *, today: date, trip_days: int = 14) -> BusPage:
    """A unit's buses (with their latest check), drivers (with their trainings), routes (with their stops)
    and the trips of the last and next ``trip_days`` days: a fixed number of queries."""
    from datetime import timedelta

    latest = BusCheck.objects.filter(bus=OuterRef("pk")).order_by("-date", "-id")
    buses: list[Any] = list(Bus.objects.visible_to(user).filter(unit=unit).annotate(
        last_check_on=Subquery(latest.values("date")[:1]), last_check_ok=Subquery(latest.values("ok")[:1]),
        last_check_note=Subquery(latest.values("note")[:1])).order_by("-active", "plate"))
    limits = driver_limits(unit)
    for bus in buses:
        bus.grounds = bus_grounds(
            inspection_expires=bus.inspection_expires, insurance_expires=bus.insurance_expires,
            last_check_ok=bus.last_check_ok, active=bus.active, day=today)
    drivers = list(Driver.objects.visible_to(user).filter(unit=unit).prefetch_related(
        Prefetch("trainings", queryset=DriverTraining.objects.order_by("-date", "-id"))).order_by("-active", "name"))
    for driver in drivers:
        trainings = list(driver.trainings.all())
        driver.grounds = driver_grounds(  # type: ignore[attr-defined]
            birth_date=driver.birth_date, licence_expires=driver.licence_expires,
            last_trained=next((t.date for t in trainings if t.date <= today), None), active=driver.active, day=today,
            **limits)
    routes = list(Route.objects.visible_to(user).filter(unit=unit).prefetch_related(
        Prefetch("stops", queryset=Stop.objects.order_by("order"))).order_by("-active", "name"))
    trips = list(Trip.objects.visible_to(user).filter(
        unit=unit, date__gte=today - timedelta(days=trip_days), date__lte=today + timedelta(days=trip_days))
        .select_related("bus", "driver", "route", "attendant").order_by("-date", "departs_at", "id"))
    return BusPage(buses, drivers, routes, trips)


def attendant_trips(user: Any, *, today: date) -> list[Trip]:
    """The trips a bus attendant accompanies today and later, soonest first (their screen)."""
    return list(Trip.objects.visible_to(user).filter(attendant=user, date__gte=today)
                .exclude(status__in=[TripStatus.ARRIVED, TripStatus.CANCELLED])
                .select_related("bus", "driver", "route").order_by("date", "departs_at", "id")[:20])
