"""Who may change a unit's timetable (F-GATE-3): its own unit admin, or its sub-district's admin."""

import rules

from huxiao.core.permissions import admin_of_its_subdistrict, is_unit_admin_of

rules.add_perm("timetable.change_timetable", admin_of_its_subdistrict | is_unit_admin_of)
