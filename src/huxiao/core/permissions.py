"""Object permissions (django-rules). Scope decides what a user *sees*; these decide what they may *do*
with what they see. Checked by the views and API through ``user.has_perm(name, obj)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from rules.predicates import Predicate

from huxiao.core.models import SECOND_FACTOR_ROLES, Role


def predicate(fn: Callable[..., bool]) -> Predicate:
    """``@rules.predicate``, typed: django-rules does not annotate its decorator."""
    made: Predicate = rules.predicate(fn)  # type: ignore[no-untyped-call]
    return made


def add_perm(name: str, pred: Predicate) -> None:
    """``rules.add_perm``, typed."""
    rules.add_perm(name, pred)  # type: ignore[no-untyped-call]


def require(actor: Any, perm: str, obj: Any = None) -> None:
    """What every service calls first: ``actor`` may do ``perm`` with ``obj``, or PermissionDenied (403)."""
    if not actor.has_perm(perm, obj):
        raise PermissionDenied


@predicate
def is_subdistrict_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.SUBDISTRICT_ADMIN)


@predicate
def is_unit_admin_of(user: Any, unit: Any) -> bool:
    return bool(
        user.is_authenticated and user.role == Role.UNIT_ADMIN and unit is not None
        and user.organisation_id == unit.pk
    )


@predicate
def is_police_covering(user: Any, unit: Any) -> bool:
    """A police officer of the station that covers the unit."""
    return bool(user.is_authenticated and user.role == Role.POLICE and unit is not None
                and unit.police_station_id == user.organisation_id)


@predicate
def admin_of_its_subdistrict(user: Any, obj: Any) -> bool:
    return bool(is_subdistrict_admin(user) and obj is not None
                and getattr(obj, "subdistrict_id", None) == user.organisation.subdistrict_id)


add_perm("core.add_unit", is_subdistrict_admin)
add_perm("core.change_unit", admin_of_its_subdistrict | is_unit_admin_of)
add_perm("core.view_audit", is_subdistrict_admin)


@predicate
def may_manage_user(user: Any, target: Any) -> bool:
    """The sub-district admin manages its sub-district's accounts; a unit admin its unit's staff."""
    if not user.is_authenticated or target is None:
        return False
    if user.role == Role.SUBDISTRICT_ADMIN:
        return bool(target.organisation.subdistrict_id == user.organisation.subdistrict_id)
    if user.role == Role.UNIT_ADMIN:
        return bool(target.organisation_id == user.organisation_id and target.role in UNIT_STAFF_ROLES)
    return False


UNIT_STAFF_ROLES = {Role.GUARD, Role.TEACHER, Role.BUS_ATTENDANT}


@predicate
def is_unit_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.UNIT_ADMIN)


add_perm("core.add_user", is_subdistrict_admin | is_unit_admin)
add_perm("core.change_user", may_manage_user)


@predicate
def needs_second_factor(user: Any) -> bool:
    """One of ``SECOND_FACTOR_ROLES`` (F-AUTH, issue #14): they enrol an authenticator app, others have none."""
    return bool(user.is_authenticated and user.role in SECOND_FACTOR_ROLES)


add_perm("core.enrol_second_factor", needs_second_factor)
