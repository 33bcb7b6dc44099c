"""Who may do what at a unit's gate (django-rules). Scope decides what is seen; these decide what may be
done with it. Attribute comparisons only, no query: ``gate.release_child`` is on the dismissal's hot path.

The object of a permission is the unit itself or anything of the unit (a child, a class, a pick-up person,
a visit, a checkpoint): what counts is its ``unit_id``."""

from __future__ import annotations

from typing import Any

import rules

from huxiao.core.models import Role, Unit

GATE_STAFF = {Role.UNIT_ADMIN, Role.GUARD, Role.TEACHER}
GATE_KEEPERS = {Role.UNIT_ADMIN, Role.GUARD}
CHILD_CARERS = {Role.UNIT_ADMIN, Role.TEACHER}
HOST_ROLES = {Role.UNIT_ADMIN, Role.TEACHER}


def _unit_id(obj: Any) -> Any:
    if obj is None:
        return None
    return obj.pk if isinstance(obj, Unit) else getattr(obj, "unit_id", None)


def _works_at_as(roles: set[Role], name: str) -> Any:
    @rules.predicate(name=name)
    def predicate(user: Any, obj: Any) -> bool:
        unit_id = _unit_id(obj)
        return bool(user.is_authenticated and user.role in roles and unit_id is not None
                    and user.organisation_id == unit_id)

    return predicate


is_gate_staff_at = _works_at_as(GATE_STAFF, "is_gate_staff_at")
is_gate_keeper_at = _works_at_as(GATE_KEEPERS, "is_gate_keeper_at")
is_child_carer_at = _works_at_as(CHILD_CARERS, "is_child_carer_at")
is_unit_admin_at = _works_at_as({Role.UNIT_ADMIN}, "is_unit_admin_at")
# Not permissions of the actor but who may be chosen: a guard of the unit (a shift, a handover), a teacher
# of the unit (a class), a host of the unit (a visit).
is_guard_at = _works_at_as({Role.GUARD}, "is_guard_at")
is_teacher_at = _works_at_as({Role.TEACHER}, "is_teacher_at")
may_host_at = _works_at_as(HOST_ROLES, "may_host_at")


@rules.predicate
def is_class_teacher_of(user: Any, child: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.TEACHER and child is not None
                and child.school_class.teacher_id == user.pk)


@rules.predicate
def is_host_of(user: Any, visit: Any) -> bool:
    return bool(user.is_authenticated and visit is not None and visit.host_id == user.pk)


rules.add_perm("gate.release_child", is_gate_staff_at)
rules.add_perm("gate.manage_classes", is_unit_admin_at)
rules.add_perm("gate.manage_children", is_child_carer_at)
rules.add_perm("gate.manage_pickup_persons", is_child_carer_at)
rules.add_perm("gate.add_delegation", is_unit_admin_at | is_class_teacher_of)
rules.add_perm("gate.register_visit", is_gate_keeper_at)
rules.add_perm("gate.answer_visit", is_host_of | is_unit_admin_at)
rules.add_perm("gate.checkout_visit", is_gate_keeper_at)
rules.add_perm("gate.manage_block_list", is_unit_admin_at)
rules.add_perm("gate.manage_shifts", is_unit_admin_at)
rules.add_perm("gate.record_handover", is_gate_keeper_at)
rules.add_perm("gate.manage_checkpoints", is_unit_admin_at)
rules.add_perm("gate.scan_checkpoint", is_gate_keeper_at)
