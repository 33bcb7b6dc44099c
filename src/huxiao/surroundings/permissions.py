"""Who may write the surroundings (django-rules).

- Premises and their clean-up records: the sub-district admin and the governance officer (综治办) of the
  premises' sub-district, and the police of the station covering its nearest unit. A police officer adds
  premises in their sub-district; one that would lie nearest another station's unit is refused by the
  service (it would be that station's to see).
- Campaigns: the sub-district admin and the governance officer, led by any office or the station of their
  sub-district; a police officer, led by their own station.
- Traffic reports: whoever may report a hazard at the unit (``hazards.report_hazard``), as filing one opens a
  hazard there.
"""

from __future__ import annotations

from typing import Any

from huxiao.core.models import OrgType, Role
from huxiao.core.permissions import add_perm, predicate

OFFICE_ROLES = {Role.SUBDISTRICT_ADMIN, Role.GOVERNANCE}


def _subdistrict_id(obj: Any) -> Any:
    """The sub-district of a premises or a campaign, or of the sub-district itself."""
    if obj is None:
        return None
    if getattr(obj, "type", None) == OrgType.SUBDISTRICT:
        return obj.pk
    return getattr(obj, "subdistrict_id", None)


@predicate
def office_of_its_subdistrict(user: Any, obj: Any) -> bool:
    return bool(user.is_authenticated and user.role in OFFICE_ROLES and obj is not None
                and _subdistrict_id(obj) == user.organisation.subdistrict_id)


@predicate
def police_of_its_subdistrict(user: Any, subdistrict: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.POLICE and subdistrict is not None
                and _subdistrict_id(subdistrict) == user.organisation.subdistrict_id)


@predicate
def police_covering_its_nearest_unit(user: Any, premises: Any) -> bool:
    unit = getattr(premises, "nearest_unit", None)
    return bool(user.is_authenticated and user.role == Role.POLICE and unit is not None
                and unit.police_station_id == user.organisation_id)


@predicate
def police_leading_it(user: Any, campaign: Any) -> bool:
    return bool(user.is_authenticated and user.role == Role.POLICE and campaign is not None
                and campaign.lead_office_id == user.organisation_id)


@predicate
def may_report_a_hazard_there(user: Any, unit: Any) -> bool:
    return bool(unit is not None and user.has_perm("hazards.report_hazard", unit))


add_perm("surroundings.add_premises", office_of_its_subdistrict | police_of_its_subdistrict)
add_perm("surroundings.change_premises", office_of_its_subdistrict | police_covering_its_nearest_unit)
add_perm("surroundings.record_cleanup", office_of_its_subdistrict | police_covering_its_nearest_unit)
add_perm("surroundings.add_campaign", office_of_its_subdistrict | police_leading_it)
add_perm("surroundings.report_traffic", may_report_a_hazard_there)
