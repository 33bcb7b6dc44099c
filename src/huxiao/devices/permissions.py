"""Who may manage a unit's devices (django-rules): its unit admin, the police of its station, its
sub-district's admin. The object is the device's unit."""

import rules

from huxiao.core.permissions import admin_of_its_subdistrict, is_police_covering, is_unit_admin_of

rules.add_perm("devices.manage_device", is_unit_admin_of | is_police_covering | admin_of_its_subdistrict)
