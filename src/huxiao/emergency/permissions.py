"""Who may write a unit's emergency plans and drills (django-rules): its unit admin."""

from __future__ import annotations

import rules

from huxiao.core.permissions import is_unit_admin_of

rules.add_perm("emergency.add_plan", is_unit_admin_of)
rules.add_perm("emergency.record_drill", is_unit_admin_of)
