"""Who may change the rule parameters: the sub-district admin, for its own sub-district (F-COMP)."""

import rules

from huxiao.core.permissions import admin_of_its_subdistrict

rules.add_perm("compliance.change_parameters", admin_of_its_subdistrict)
