"""Who may change the security force of a unit (django-rules). Scope decides what is seen; these decide
what may be done with it."""

from __future__ import annotations

from typing import Any

import rules

from huxiao.core.models import Role
from huxiao.core.permissions import admin_of_its_subdistrict, is_police_covering, is_unit_admin_of


def _role_in_subdistrict(role: str) -> Any:
    @rules.predicate(name=f"is_{role}_of_subdistrict")
    def predicate(user: Any, obj: Any) -> bool:
        return bool(user.is_authenticated and user.role == role and obj is not None
                    and getattr(obj, "subdistrict_id", None) == user.organisation.subdistrict_id)

    return predicate


is_education_of = _role_in_subdistrict(Role.EDUCATION)
is_governance_of = _role_in_subdistrict(Role.GOVERNANCE)
# Who may be named a unit's duty officer: a police officer's account of the unit's sub-district.
is_police_of = _role_in_subdistrict(Role.POLICE)


@rules.predicate
def runs_road_points_of(user: Any, subdistrict: Any) -> bool:
    """Road posts belong to a sub-district: its admin and its police set them up."""
    return bool(user.is_authenticated and user.role in {Role.SUBDISTRICT_ADMIN, Role.POLICE}
                and subdistrict is not None and user.organisation.subdistrict_id == subdistrict.pk)


@rules.predicate
def works_at(user: Any, unit: Any) -> bool:
    return bool(user.is_authenticated and unit is not None and user.organisation_id == unit.pk
                and user.role in {Role.UNIT_ADMIN, Role.GUARD, Role.TEACHER})


@rules.predicate
def patrols_for(user: Any, unit: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.PATROL and unit is not None
                and unit.parent_id == user.organisation_id)


unit_managers = admin_of_its_subdistrict | is_unit_admin_of

rules.add_perm("force.manage_guards", unit_managers)
rules.add_perm("force.manage_team", unit_managers)
rules.add_perm("force.assign_police", admin_of_its_subdistrict | is_police_covering)
rules.add_perm("force.appoint_lvp", admin_of_its_subdistrict | is_education_of | is_police_covering)
rules.add_perm("force.record_lecture", unit_managers | is_education_of | is_police_covering)
rules.add_perm("force.change_police_room", unit_managers | is_police_covering)
# Patrol teams belong to a community; the sub-district and its governance office organise them.
rules.add_perm("force.manage_patrols", admin_of_its_subdistrict | is_governance_of)
rules.add_perm("force.check_in", is_police_covering | works_at | patrols_for)
rules.add_perm("force.manage_points", unit_managers)
rules.add_perm("force.manage_road_points", runs_road_points_of)
