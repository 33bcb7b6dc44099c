"""Who may do what with a unit's school buses (django-rules). The unit admin keeps the registers (buses,
drivers, routes) and schedules trips; a bus attendant (照管人员) of the unit records pre-trip checks, and
the boarding count and arrival of the trips they accompany. The object is the unit, or the trip."""

from __future__ import annotations

from typing import Any

from huxiao.core.models import Role
from huxiao.core.permissions import add_perm, is_unit_admin_of, predicate


@predicate
def is_bus_attendant_of(user: Any, unit: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.BUS_ATTENDANT and unit is not None
                and user.organisation_id == unit.pk)


@predicate
def is_admin_of_trip_unit(user: Any, trip: Any) -> bool:
    return bool(trip is not None and is_unit_admin_of(user, trip.unit))


@predicate
def accompanies_trip(user: Any, trip: Any) -> bool:
    """The trip's own attendant, still an attendant of its unit."""
    return bool(trip is not None and trip.attendant_id == user.pk and is_bus_attendant_of(user, trip.unit))


add_perm("buses.manage_bus", is_unit_admin_of)
add_perm("buses.record_check", is_unit_admin_of | is_bus_attendant_of)
add_perm("buses.manage_driver", is_unit_admin_of)
add_perm("buses.manage_route", is_unit_admin_of)
add_perm("buses.schedule_trip", is_unit_admin_of)
add_perm("buses.cancel_trip", is_admin_of_trip_unit)
add_perm("buses.record_boarding", is_admin_of_trip_unit | accompanies_trip)
