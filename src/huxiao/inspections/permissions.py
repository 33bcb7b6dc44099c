"""Who may do what with inspections (django-rules): the unit and the education office inspect and schedule;
the sub-district's admin and education office edit the checklists."""

from __future__ import annotations

from typing import Any

from huxiao.core.models import Role
from huxiao.core.permissions import add_perm, is_unit_admin_of, predicate


@predicate
def education_of_its_subdistrict(user: Any, unit: Any) -> bool:
    return bool(user.is_authenticated and unit is not None and user.role == Role.EDUCATION
                and user.organisation.subdistrict_id == unit.subdistrict_id)


@predicate
def edits_the_subdistrict_s_checklists(user: Any, subdistrict: Any) -> bool:
    return bool(user.is_authenticated and subdistrict is not None
                and user.role in {Role.SUBDISTRICT_ADMIN, Role.EDUCATION}
                and user.organisation.subdistrict_id == getattr(subdistrict, "pk", subdistrict))


add_perm("inspections.record_inspection", is_unit_admin_of | education_of_its_subdistrict)
add_perm("inspections.schedule_inspection", is_unit_admin_of | education_of_its_subdistrict)
add_perm("inspections.change_template", edits_the_subdistrict_s_checklists)
