"""Who may read and keep the high-risk ledger and the disputes (django-rules): the police officers of
the station covering the campus concerned, and the governance officers of its sub-district (F-RISK-1).
The object is the campus (a unit), or a record of the ledger."""

from __future__ import annotations

from typing import Any

from huxiao.core.models import Role
from huxiao.core.permissions import add_perm, predicate

LEDGER_ROLES = frozenset({Role.POLICE, Role.GOVERNANCE})
# Who sees the ledger's counts (by level, and the disputes being mediated) with no person in them: the ledger's
# keepers, and the education office, which answers for the campuses concerned (F-RISK-1).
COUNTS_ROLES = LEDGER_ROLES | {Role.EDUCATION}


@predicate
def has_ledger_role(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in LEDGER_ROLES)


def _unit_of(obj: Any) -> Any:
    for path in ("unit", "person.unit", "dispute.unit"):
        target = obj
        for attr in path.split("."):
            target = getattr(target, attr, None)
        if target is not None:
            return target
    return obj


@predicate
def keeps_ledger_of(user: Any, obj: Any) -> bool:
    """A police officer of the station covering the campus, or a governance officer of its sub-district."""
    if not has_ledger_role(user) or obj is None:
        return False
    unit = _unit_of(obj)
    if user.role == Role.POLICE:
        return bool(getattr(unit, "police_station_id", None) == user.organisation_id)
    return bool(getattr(unit, "subdistrict_id", None) == user.organisation.subdistrict_id)


@predicate
def sees_ledger_counts(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in COUNTS_ROLES)


add_perm("risk.view_ledger", has_ledger_role)
add_perm("risk.view_counts", sees_ledger_counts)
add_perm("risk.keep_person", keeps_ledger_of)
add_perm("risk.reveal_person", keeps_ledger_of)
add_perm("risk.keep_dispute", keeps_ledger_of)


def may_be_responsible(officer: Any, unit: Any) -> bool:
    """Who may be named a person's responsible officer: an active officer of the station covering the campus."""
    return bool(officer.role == Role.POLICE and officer.is_active and officer.organisation_id == unit.police_station_id)
