"""Scope in one place (STYLE habit 1).

Every tenant-owned model's queryset is a ``ScopedQuerySet``; ``Model.objects.visible_to(user)`` keeps
only what the user's organisation may see. A model says how it reaches its unit with
``scope_unit_field`` (default ``"unit"``) or overrides ``scope_filter(user)`` for another shape. The
shared view and API base classes call ``visible_to``; nothing outside this module writes a tenant
filter by hand, and anything outside the scope answers 404, exactly like a missing object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from huxiao.core.models import User

NOTHING = Q(pk__in=[])
M = TypeVar("M", bound=models.Model)


def _prefix(path: str) -> str:
    return "" if path in {"", "pk"} else f"{path}__"


def unit_scope(user: Any, path: str = "unit") -> Q:
    """A Q over ``path`` (a foreign key to Unit, or ``pk`` on Unit itself) for the units ``user`` sees."""
    from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, UNIT_ROLES, Role

    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    prefix = _prefix(path)
    unit_id = "pk" if prefix == "" else f"{path}_id"
    org = user.organisation
    if user.role in SUBDISTRICT_WIDE_ROLES:
        return Q(**{f"{prefix}subdistrict_id": org.subdistrict_id})
    if user.role == Role.POLICE:
        return Q(**{f"{prefix}police_station_id": org.pk})
    if user.role in UNIT_ROLES:
        return Q(**{unit_id: org.pk})
    if user.role == Role.PATROL:
        return Q(**{f"{prefix}parent_id": org.pk})
    return NOTHING


def subdistrict_scope(user: Any, path: str = "subdistrict") -> Q:
    """A Q over ``path`` (a foreign key to the sub-district) for the user's own sub-district: rows a whole
    sub-district shares (rule parameters, compliance runs and their daily counts)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    return Q(**{f"{path}_id": user.organisation.subdistrict_id})


def audit_scope(user: Any) -> Q:
    """Audit entries (auditlog's ``LogEntry``) of the user's sub-district: each entry stores it
    (``core.audit.AuditedMixin``). Who may read them at all is ``core.view_audit``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    return Q(additional_data__subdistrict=user.organisation.subdistrict_id)


def unit_staff_police_subdistrict(user: Any, path: str = "unit") -> Q:
    """``unit_scope`` without the unit's parents, bus attendants and patrols: the unit's staff, its police
    station, its sub-district (devices, alarms, plans and drills)."""
    from huxiao.core.models import Role

    if user is not None and getattr(user, "role", None) in {Role.GUARDIAN, Role.BUS_ATTENDANT, Role.PATROL}:
        return NOTHING
    return unit_scope(user, path)


def unit_matcher(user: Any) -> Callable[[dict[str, Any]], bool]:
    """The same rule as ``unit_scope``, for an event that is not a row: ``match({"unit", "subdistrict",
    "police_station", "community"})`` says whether ``user`` may see what happened at that unit (the live
    stream filters what it pushes with it)."""
    from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, UNIT_ROLES, Role

    if user is None or not user.is_authenticated or not user.is_active:
        return lambda event: False
    org = user.organisation
    if user.role in SUBDISTRICT_WIDE_ROLES:
        return lambda event: event.get("subdistrict") == org.subdistrict_id
    if user.role == Role.POLICE:
        return lambda event: event.get("police_station") == org.pk
    if user.role in UNIT_ROLES:
        return lambda event: event.get("unit") == org.pk
    if user.role == Role.PATROL:
        return lambda event: event.get("community") == org.pk
    return lambda event: False


def organisation_scope(user: Any) -> Q:
    """Organisations a user may see: the whole tree for sub-district roles; otherwise their own
    organisation, the units they see, those units' communities, and their sub-district."""
    from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, Unit

    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    org = user.organisation
    if user.role in SUBDISTRICT_WIDE_ROLES:
        return Q(subdistrict_id=org.subdistrict_id)
    units = Unit.objects.filter(unit_scope(user, "pk"))
    return (
        Q(pk=org.pk)
        | Q(pk=org.subdistrict_id)
        | Q(pk__in=units.values("pk"))
        | Q(pk__in=units.values("parent_id"))
    )


class ScopedQuerySet(models.QuerySet[M]):
    def visible_to(self, user: User | Any) -> ScopedQuerySet[M]:
        scope = getattr(self.model, "scope_filter", None)
        if scope is None:
            path = getattr(self.model, "scope_unit_field", "unit")
            return self.filter(unit_scope(user, path))
        return self.filter(scope(user))
