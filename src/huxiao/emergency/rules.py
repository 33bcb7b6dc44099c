"""F-EMRG compliance rules (codes as in API.md): plans.present, drills.frequency."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from huxiao.compliance.engine import Context
from huxiao.compliance.registry import FAIL, PASS, Verdict, msg, param, rule
from huxiao.emergency.models import PlanType

PLAN_MSGIDS = {
    "intrusion": gettext_noop("Intrusion or violent attack"), "fire": gettext_noop("Fire"),
    "food_poisoning": gettext_noop("Food poisoning"), "crowd_crush": gettext_noop("Crowd crush"),
    "natural_disaster": gettext_noop("Natural disaster"), "media": gettext_noop("Media response"),
}

param("plans.required", list(PlanType.values), kind="kinds", choices=tuple(PlanType.choices), source=_("the notice"),
      label=_("Required emergency plans"))
param("drills.kindergarten_days", 92, kind="int", minimum=1, maximum=366, source=_("2014 drill guide"),
      label=_("Kindergarten: at most this many days between drills (quarterly)"))
param("drills.school_days", 31, kind="int", minimum=1, maximum=366, source=_("2014 drill guide"),
      label=_("School: at most this many days between drills (monthly)"))


def load_plans(ctx: Context) -> dict[int, dict[str, dict[str, Any]]]:
    from huxiao.emergency.models import Plan

    out: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for row in (Plan.objects.filter(unit_id__in=ctx.unit_ids(), approved_on__lte=ctx.today)
                .order_by("unit_id", "type", "-version").values("unit_id", "type", "version", "approved_on")):
        out[row["unit_id"]].setdefault(row["type"], dict(row))  # the newest version of each type
    return out


def load_last_drills(ctx: Context) -> dict[int, dict[str, Any]]:
    from huxiao.emergency.models import Drill

    out: dict[int, dict[str, Any]] = {}
    for row in (Drill.objects.filter(unit_id__in=ctx.unit_ids(), date__lte=ctx.today)
                .order_by("unit_id", "-date", "-id").values("unit_id", "date", "scenario")):
        out.setdefault(row["unit_id"], dict(row))
    return out


@rule("plans.present", feature="F-EMRG-1", title=_("Emergency plans"),
      fails_when=_("a required plan type is missing"), records="unit-emergency", anchor="plans")
def plans_present(ctx: Context) -> dict[int, Verdict]:
    plans = ctx.once("emergency.plans", load_plans)
    out = {}
    for unit in ctx.units:
        have = plans.get(unit.id, {})
        missing = [t for t in ctx.param(unit, "plans.required") if t not in have]
        if missing:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("No approved plan for: %(types_t)s."),
                                              types_t=[PLAN_MSGIDS[t] for t in missing])])
        else:
            out[unit.id] = Verdict(PASS, [msg(gettext_noop("%(n)s plans approved, the newest on %(date)s."),
                                             n=len(have), date=max(p["approved_on"] for p in have.values()))
                                         if have else msg(gettext_noop("No plan is required."))])
    return out


@rule("drills.frequency", feature="F-EMRG-2", title=_("Emergency drills"),
      fails_when=_("drills behind the required frequency"), records="unit-emergency", anchor="drills")
def drills_frequency(ctx: Context) -> dict[int, Verdict]:
    last = ctx.once("emergency.last_drills", load_last_drills)
    out = {}
    for unit in ctx.units:
        days = int(ctx.param(unit, "drills.kindergarten_days" if unit.is_kindergarten else "drills.school_days"))
        drill = last.get(unit.id)
        if drill is None:
            out[unit.id] = Verdict(FAIL, [msg(gettext_noop("No drill has been recorded."))])
            continue
        due: date = drill["date"] + timedelta(days=days)
        line = msg(gettext_noop("Last drill on %(date)s (%(scenario_t)s); one is required every %(days)s days."),
                   date=drill["date"], scenario_t=PLAN_MSGIDS[drill["scenario"]], days=days)
        if ctx.today > due:
            out[unit.id] = Verdict(FAIL, [line], since=due + timedelta(days=1))
        else:
            out[unit.id] = Verdict(PASS, [line])
    return out
