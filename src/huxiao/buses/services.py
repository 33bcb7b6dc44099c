"""F-BUS-1 writes: a unit's buses and their pre-trip checks, drivers and their trainings, routes and
stops (kept by its unit admin); trips, scheduled by the unit admin with a bus and a driver that are not
grounded, and counted aboard by their attendant. An overloaded count is kept as counted and raised at once:
the trip is marked, its unit's admins and police get an alert, and ``buses.overload`` fails in the same
transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.buses import selectors
from huxiao.buses.models import (
    MAX_BOARDING,
    Bus,
    BusCheck,
    Driver,
    DriverTraining,
    Route,
    Stop,
    Trip,
    TripStatus,
    normal_plate,
)
from huxiao.compliance.engine import refresh_unit
from huxiao.compliance.registry import render_all
from huxiao.core.audit import update_where
from huxiao.core.errors import Conflict
from huxiao.core.models import Unit, User
from huxiao.core.permissions import require
from huxiao.core.validators import validate_phone
from huxiao.notify.models import Level
from huxiao.notify.services import notify, recipients

BUS_FIELDS = {"plate", "kind", "seats", "inspection_expires", "insurance_expires", "active"}
DRIVER_FIELDS = {"name", "phone", "birth_date", "licence_class", "licence_file_no", "licence_expires", "active"}
TRIP_FIELDS = {"bus", "driver", "attendant", "route", "date", "direction", "departs_at"}


def _only(fields: dict[str, Any], allowed: set[str]) -> dict[str, Any]:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    return fields


def _clean_phone(fields: dict[str, Any]) -> None:
    if fields.get("phone"):
        try:
            fields["phone"] = validate_phone(fields["phone"])
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from None


# --- buses ------------------------------------------------------------------------------------------

@transaction.atomic
def bus_add(*, actor: User, unit: Unit, **fields: Any) -> Bus:
    require(actor, "buses.manage_bus", unit)
    fields = _only(fields, BUS_FIELDS)
    if "plate" in fields:
        fields["plate"] = normal_plate(fields["plate"])
    bus = Bus(unit=unit, **fields)
    bus.full_clean()
    bus.save()
    refresh_unit(unit.pk)
    return bus


@transaction.atomic
def bus_update(*, actor: User, bus: Bus, **fields: Any) -> Bus:
    require(actor, "buses.manage_bus", bus.unit)
    for name, value in _only(fields, BUS_FIELDS).items():
        setattr(bus, name, normal_plate(value) if name == "plate" else value)
    bus.full_clean()
    bus.save()
    refresh_unit(bus.unit_id)
    return bus


@transaction.atomic
def bus_check_record(*, actor: User, bus: Bus, ok: bool, note: str = "", date: date | None = None) -> BusCheck:
    """A pre-trip condition check (the unit admin or one of its bus attendants). A failure must say what
    failed; it grounds the bus until a check passes."""
    require(actor, "buses.record_check", bus.unit)
    today = timezone.localdate()
    day = date or today
    if day > today:
        raise ValidationError({"date": [_("A check is recorded once it is done.")]})
    if not ok and not note.strip():
        raise ValidationError({"note": [_("Say what failed.")]})
    check = BusCheck(bus=bus, date=day, ok=ok, note=note.strip(), checked_by=actor)
    check.full_clean()
    check.save()
    refresh_unit(bus.unit_id)
    return check


# --- drivers ----------------------------------------------------------------------------------------

@transaction.atomic
def driver_add(*, actor: User, unit: Unit, **fields: Any) -> Driver:
    require(actor, "buses.manage_driver", unit)
    fields = _only(fields, DRIVER_FIELDS)
    _clean_phone(fields)
    driver = Driver(unit=unit, **fields)
    driver.full_clean()
    driver.save()
    refresh_unit(unit.pk)
    return driver


@transaction.atomic
def driver_update(*, actor: User, driver: Driver, **fields: Any) -> Driver:
    require(actor, "buses.manage_driver", driver.unit)
    fields = _only(fields, DRIVER_FIELDS)
    _clean_phone(fields)
    for name, value in fields.items():
        setattr(driver, name, value)
    driver.full_clean()
    driver.save()
    refresh_unit(driver.unit_id)
    return driver


@transaction.atomic
def driver_training_record(*, actor: User, driver: Driver, date: date, topic: str, hours: int,
                           provider: str = "") -> DriverTraining:
    require(actor, "buses.manage_driver", driver.unit)
    if date > timezone.localdate():
        raise ValidationError({"date": [_("A training is recorded after it took place.")]})
    training = DriverTraining(driver=driver, date=date, topic=topic.strip(), hours=hours, provider=provider.strip())
    training.full_clean()
    training.save()
    refresh_unit(driver.unit_id)
    return training


# --- routes -----------------------------------------------------------------------------------------

def _stops(route: Route, stops: Iterable[dict[str, Any]]) -> list[Stop]:
    """The route's stops in the order given (numbered 1, 2, …: the order a list has is the order)."""
    rows = [Stop(route=route, order=i, name=str(s.get("name", "")).strip(), lat=s.get("lat"), lng=s.get("lng"))
            for i, s in enumerate(stops, start=1)]
    if not rows:
        raise ValidationError({"stops": [_("A route has at least one stop.")]})
    errors: dict[str, list[Any]] = {}
    for row in rows:
        try:
            row.full_clean(exclude=["route"])
        except ValidationError as exc:
            errors.setdefault("stops", []).extend(
                f"{row.order}: {m}" for messages in exc.message_dict.values() for m in messages)
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def bus_route_add(*, actor: User, unit: Unit, name: str, stops: Iterable[dict[str, Any]],
                  active: bool = True) -> Route:
    require(actor, "buses.manage_route", unit)
    route = Route(unit=unit, name=name.strip(), active=active)
    route.full_clean()
    rows = _stops(route, stops)
    route.save()
    for row in rows:
        row.route = route
        row.save()
    return route


@transaction.atomic
def bus_route_update(*, actor: User, route: Route, name: str | None = None, active: bool | None = None,
                     stops: Iterable[dict[str, Any]] | None = None) -> Route:
    """Rename, retire or re-draw a route; new stops replace the old ones (trips point at the route)."""
    require(actor, "buses.manage_route", route.unit)
    if name is not None:
        route.name = name.strip()
    if active is not None:
        route.active = active
    route.full_clean()
    route.save()
    if stops is not None:
        rows = _stops(route, stops)
        current = [(s.name, s.lat, s.lng) for s in route.stops.order_by("order")]
        if current != [(r.name, r.lat, r.lng) for r in rows]:
            for old in route.stops.all():
                old.delete()
            for row in rows:
                row.save()
    return route


# --- trips ------------------------------------------------------------------------------------------

def _refuse_grounded(trip: Trip) -> None:
    """409 ``bus_grounded`` / ``driver_grounded``, naming why, for a trip on its date."""
    reasons = selectors.bus_grounds_on(trip.bus, trip.date)
    if reasons:
        lines = render_all(reasons)
        raise Conflict(_("The bus %(plate)s is grounded: %(why)s") % {"plate": trip.bus.plate, "why": " ".join(lines)},
                       code="bus_grounded", reasons=lines)
    reasons = selectors.driver_grounds_on(trip.driver, trip.date)
    if reasons:
        lines = render_all(reasons)
        raise Conflict(_("The driver %(name)s may not drive: %(why)s") % {"name": trip.driver.name,
                                                                          "why": " ".join(lines)},
                       code="driver_grounded", reasons=lines)


@transaction.atomic
def trip_schedule(*, actor: User, unit: Unit, bus: Bus, driver: Driver, route: Route, date: date,
                  direction: str, departs_at: time, attendant: User | None = None) -> Trip:
    """A trip of the unit. Refused (409) with a grounded bus or driver; without an attendant it is kept,
    and ``buses.attendant`` fails until one is named."""
    require(actor, "buses.schedule_trip", unit)
    if date < timezone.localdate():
        raise ValidationError({"date": [_("A trip is scheduled for today or later.")]})
    trip = Trip(unit=unit, bus=bus, driver=driver, route=route, date=date, direction=direction,
                departs_at=departs_at, attendant=attendant)
    trip.full_clean()
    _refuse_grounded(trip)
    trip.save()
    refresh_unit(unit.pk)
    return trip


@transaction.atomic
def trip_update(*, actor: User, trip: Trip, **fields: Any) -> Trip:
    """Change a trip that has not set off (another bus, driver, attendant or time)."""
    require(actor, "buses.schedule_trip", trip.unit)
    fields = _only(fields, TRIP_FIELDS)
    Trip.objects.select_for_update().filter(pk=trip.pk).first()
    trip.refresh_from_db(fields=["status"])
    if trip.status != TripStatus.SCHEDULED:
        raise Conflict(_("The trip has set off: it can no longer be changed."), code="trip_not_scheduled",
                       status=trip.status)
    changed = {name for name, value in fields.items() if getattr(trip, name) != value}
    for name, value in fields.items():
        setattr(trip, name, value)
    if "date" in changed and trip.date < timezone.localdate():
        raise ValidationError({"date": [_("A trip is scheduled for today or later.")]})
    trip.full_clean()
    if changed & {"bus", "driver", "date"}:
        _refuse_grounded(trip)
    trip.save()
    refresh_unit(trip.unit_id)
    return trip


def _tell_overload(trip: Trip, count: int) -> None:
    unit, plate, seats = trip.unit, trip.bus.plate, trip.bus.seats
    when = trip.departs_at.strftime("%H:%M")
    notify(users=recipients(unit), kind="buses.overload", level=Level.ALERT, unit=unit,
           url=reverse("unit-buses", args=[unit.pk]) + "#trips", ref=f"bus-trip:{trip.pk}",
           title=lambda: _("School bus overloaded at %(unit)s") % {"unit": unit.name},
           body=lambda: _("Bus %(plate)s, trip of %(time)s: %(n)s children on board, %(seats)s seats.") % {
               "plate": plate, "time": when, "n": count, "seats": seats})


@transaction.atomic
def trip_boarding_record(*, actor: User, trip: Trip, count: int) -> Trip:
    """The attendant's boarding count as the bus sets off (again at a later stop: the newest count holds).

    The count is kept as counted, even above the seats: refusing it would only hide an overloaded bus.
    Above the seats the trip is marked overloaded and the unit's admins and police are alerted, in this
    transaction. A cancelled or arrived trip, or one whose bus or driver is grounded, does not set off."""
    require(actor, "buses.record_boarding", trip)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValidationError({"count": [_("Enter the number of children on board.")]})
    if count > MAX_BOARDING:
        raise ValidationError({"count": [_("That is more children than any bus holds: check the number.")]})
    if trip.status == TripStatus.SCHEDULED:
        _refuse_grounded(trip)
    seats = trip.bus.seats
    overloaded = count > seats
    was = (trip.boarded, trip.overloaded)
    done = update_where(trip, where=Q(status__in=[TripStatus.SCHEDULED, TripStatus.DEPARTED]),
                        boarded=count, overloaded=overloaded, boarded_at=timezone.now(), boarded_by=actor,
                        status=TripStatus.DEPARTED)
    if not done:
        trip.refresh_from_db(fields=["status"])
        raise Conflict(_("The trip is %(status)s: no count is taken.") % {"status": trip.get_status_display()},
                       code="trip_closed", status=trip.status)
    if overloaded and was != (count, True):
        _tell_overload(trip, count)
    refresh_unit(trip.unit_id)
    return trip


@transaction.atomic
def trip_arrive(*, actor: User, trip: Trip) -> Trip:
    """The bus has arrived and every child is off (the attendant checks the seats, 清点)."""
    require(actor, "buses.record_boarding", trip)
    if not update_where(trip, where=Q(status=TripStatus.DEPARTED), status=TripStatus.ARRIVED):
        trip.refresh_from_db(fields=["status"])
        raise Conflict(_("Only a trip on the road arrives."), code="trip_not_departed", status=trip.status)
    refresh_unit(trip.unit_id)
    return trip


@transaction.atomic
def trip_cancel(*, actor: User, trip: Trip) -> Trip:
    require(actor, "buses.cancel_trip", trip)
    if not update_where(trip, where=Q(status=TripStatus.SCHEDULED), status=TripStatus.CANCELLED):
        trip.refresh_from_db(fields=["status"])
        raise Conflict(_("Only a trip that has not set off can be cancelled."), code="trip_not_scheduled",
                       status=trip.status)
    refresh_unit(trip.unit_id)
    return trip
