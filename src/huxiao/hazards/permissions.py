"""Who may move a hazard along its loop (django-rules). Reporting is open to whoever sees the unit and works
on its safety; the unit assigns and rectifies its own hazards; the offices above it verify and close, or send
back, so no unit signs off its own repair."""

from __future__ import annotations

from typing import Any

from huxiao.core.models import Role
from huxiao.core.permissions import add_perm, is_police_covering, is_unit_admin_of, predicate

VERIFIER_ROLES = {Role.SUBDISTRICT_ADMIN, Role.EDUCATION, Role.GOVERNANCE}
REPORTER_UNIT_ROLES = {Role.UNIT_ADMIN, Role.GUARD, Role.TEACHER, Role.BUS_ATTENDANT}
REPORTER_SUBDISTRICT_ROLES = {Role.SUBDISTRICT_ADMIN, Role.EDUCATION, Role.GOVERNANCE, Role.SUPERVISOR}


def _unit(obj: Any) -> Any:
    """A hazard's unit, or the unit itself."""
    return getattr(obj, "unit", obj)


@predicate
def works_at_the_unit(user: Any, obj: Any) -> bool:
    unit = _unit(obj)
    return bool(user.is_authenticated and unit is not None and user.role in REPORTER_UNIT_ROLES
                and user.organisation_id == unit.pk)


@predicate
def office_of_its_subdistrict(user: Any, obj: Any) -> bool:
    unit = _unit(obj)
    return bool(user.is_authenticated and unit is not None and user.role in REPORTER_SUBDISTRICT_ROLES
                and user.organisation.subdistrict_id == unit.subdistrict_id)


@predicate
def verifier_of_its_subdistrict(user: Any, obj: Any) -> bool:
    unit = _unit(obj)
    return bool(user.is_authenticated and unit is not None and user.role in VERIFIER_ROLES
                and user.organisation.subdistrict_id == unit.subdistrict_id)


@predicate
def police_of_the_unit(user: Any, obj: Any) -> bool:
    return bool(is_police_covering(user, _unit(obj)))


@predicate
def patrol_of_its_community(user: Any, obj: Any) -> bool:
    unit = _unit(obj)
    return bool(user.is_authenticated and unit is not None and user.role == Role.PATROL
                and user.organisation_id == unit.parent_id)


@predicate
def admin_of_the_unit(user: Any, obj: Any) -> bool:
    return bool(is_unit_admin_of(user, _unit(obj)))


@predicate
def police_verifies_the_streets(user: Any, obj: Any) -> bool:
    """The police verify what they police: hazards from the surroundings and the traffic at the gate."""
    return bool(getattr(obj, "source", "") in {"surroundings", "traffic"} and police_of_the_unit(user, obj))


add_perm("hazards.report_hazard", works_at_the_unit | office_of_its_subdistrict | police_of_the_unit
         | patrol_of_its_community)
add_perm("hazards.assign_hazard", admin_of_the_unit | verifier_of_its_subdistrict)
add_perm("hazards.rectify_hazard", admin_of_the_unit)
add_perm("hazards.verify_hazard", verifier_of_its_subdistrict | police_verifies_the_streets)
