"""Who may raise, answer and describe an alarm (django-rules). Scope decides
what is seen; these decide what may be done with it. The object is the alarm's unit."""

from __future__ import annotations

from typing import Any

import rules

from huxiao.core.models import SUBDISTRICT_WIDE_ROLES, Role
from huxiao.core.permissions import is_police_covering, is_unit_admin_of

RAISERS = {Role.UNIT_ADMIN, Role.GUARD, Role.TEACHER}


@rules.predicate
def raises_at(user: Any, unit: Any) -> bool:
    return bool(user.is_authenticated and user.role in RAISERS and unit is not None
                and user.organisation_id == unit.pk)


@rules.predicate
def is_subdistrict_wide_of(user: Any, unit: Any) -> bool:
    """A sub-district-wide role (admin, governance, education, supervision) of the unit's sub-district."""
    return bool(user.is_authenticated and user.role in SUBDISTRICT_WIDE_ROLES and unit is not None
                and unit.subdistrict_id == user.organisation.subdistrict_id)


# Who answers an alarm: the police of the unit's station, the sub-district's offices.
responders = is_police_covering | is_subdistrict_wide_of

rules.add_perm("alarms.raise_alarm", raises_at)
rules.add_perm("alarms.acknowledge_alarm", responders | is_unit_admin_of)
rules.add_perm("alarms.advance_alarm", responders)  # dispatched, on scene, controlled, closed
rules.add_perm("alarms.describe_incident", responders | is_unit_admin_of)
