"""F-EMRG-1/2: a new plan version, a recorded drill. Unit admins, for their own unit; each write re-checks
the unit's compliance inside its transaction."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from huxiao.compliance.engine import refresh_unit
from huxiao.core.models import Unit, User
from huxiao.core.permissions import require
from huxiao.emergency.models import Drill, Plan


@transaction.atomic
def plan_add(*, actor: User, unit: Unit, type: str, title: str, body: str, response_force: str,
             approved_on: date) -> Plan:
    """The next version of the unit's plan of this type (version numbers are taken under a row lock on the
    unit, so two saves at once make versions n and n+1, never two n)."""
    require(actor, "emergency.add_plan", unit)
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    last = Plan.objects.filter(unit=unit, type=type).aggregate(v=Max("version"))["v"] or 0
    plan = Plan(unit=unit, type=type, version=last + 1, title=title.strip(), body=body.strip(),
                response_force=response_force.strip(), approved_on=approved_on)
    plan.full_clean()
    plan.save()
    refresh_unit(unit.pk)
    return plan


@transaction.atomic
def drill_record(*, actor: User, unit: Unit, **fields: Any) -> Drill:
    require(actor, "emergency.record_drill", unit)
    if fields.get("date") and fields["date"] > timezone.localdate():
        raise ValidationError({"date": [_("A drill is recorded after it took place.")]})
    drill = Drill(unit=unit, **fields)
    drill.full_clean()
    drill.save()
    refresh_unit(unit.pk)
    return drill
